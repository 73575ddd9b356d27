# The coordinator's pages and the admin page: figures only, never content.

nav-coordinate = Coordinate
nav-admin = Admin
coord-inbox-go = Go to the programmes you coordinate

coord-programmes-title = Your programmes
coord-programmes-intro = The programmes you coordinate. You see how often people are in contact, never what they write.
coord-programmes-none-title = You coordinate no programme
coord-programmes-none-text = An administrator can make you the coordinator of a programme.
coord-programme-counts = { $active } active, { $proposed } proposed, { $closed } closed

coord-dashboard-title = Overview of { $name }
coord-figures-only = These are figures about contact only. Nobody here sees what members write.
coord-totals = Totals
coord-total-active = Active mentorships
coord-total-on-track = On track
coord-total-median-days = Median time since last contact
coord-total-not-started = Not started

coord-table-title = Mentorships
coord-filter-status = Status
coord-filter-all = All statuses
coord-sort = Order
coord-sort-days-since-contact = Longest silence first
coord-sort-overdue = Most overdue replies first
coord-sort-start-date = Oldest start first
coord-search = Member name
coord-filter-button = Show
coord-filter-clear = Show all mentorships
coord-shown = Showing { $count } of { $total }
coord-table-none = This programme has no current mentorships yet.
coord-table-none-match = No mentorship matches. Try another status or name.
coord-col-members = Mentor – mentee
coord-col-status = Status
coord-col-days = Since last contact
coord-col-weeks = Contacts, last 12 weeks
coord-col-windows = Contact windows met
coord-col-reply = Median reply time
coord-col-overdue = Overdue replies
coord-col-balance = Messages, last 90 days
coord-col-week = Week
coord-col-contacts = Contacts
coord-col-total = Total
coord-no-mentor = (no mentor)
coord-no-mentee = (no mentee)
coord-status-not-started = Not started
coord-status-on-track = On track
coord-status-slowing = Slowing
coord-status-dormant = Dormant
coord-status-closed = Closed
coord-days = { $count ->
    [one] 1 day
   *[other] { $count } days
}
coord-no-contact-yet = No contact yet
coord-none-yet = –
coord-less-than-an-hour = under an hour
coord-hours = { $count ->
    [one] 1 hour
   *[other] { $count } hours
}
coord-windows-value = { $met } of { $elapsed }
coord-balance-value = mentors { $mentors }, mentees { $mentees }
coord-reply-mentors = Mentors: { $time }
coord-reply-mentees = Mentees: { $time }
coord-spark-title = Contacts per week
coord-spark-desc = { $count } contacts in the last 12 weeks, per week, oldest first: { $text }.
coord-pages = Pages
coord-page-of = Page { $page } of { $pages }
coord-prev = Previous page
coord-next = Next page
coord-csv = Download as CSV (spreadsheet)
coord-week = Week { $count }
coord-week-short = wk { $count }
coord-chart-table = The figures as a table
coord-contacts-chart-title = Contacts per week in the programme
coord-contacts-chart-desc = Bar chart over { $weeks } weeks: { $count } contacts in all, at most { $max } in one week. The table has each week.
coord-shares-chart-title = Mentorships by status, week by week
coord-shares-chart-desc = Each column is one of the last { $weeks } weeks, split by the status of the mentorships at the end of that week. This week: { $ontrack } on track, { $slowing } slowing, { $dormant } dormant, { $notstarted } not started. The table has each week.
coord-shares-intro = The status each current mentorship had at the end of each week, by the same rules as today's.

coord-mentorship-title = Mentorship { $name }
coord-back-to = Back to { $name }
coord-people = People
coord-role-mentor = mentor
coord-role-mentee = mentee
coord-left-on = (left on { $date })
coord-bouncing-since = mail bouncing since { $date }
coord-started = Started on { $date }.
coord-ended-because = Reason: { $reason }.
coord-lifecycle-proposed = Proposed, not yet active.
coord-lifecycle-active = Active.
coord-lifecycle-closed = Closed.
coord-rhythm = Agreed rhythm
coord-rhythm-contact = Contact
coord-rhythm-response = Replies
coord-rhythm-meetings = Meetings
coord-every-days = { $count ->
    [one] every day
   *[other] every { $count } days
}
coord-within-hours = { $count ->
    [one] within 1 hour
   *[other] within { $count } hours
}
coord-not-agreed = Not agreed yet
coord-health = Contact figures
coord-figure-reflections = Reflection forms filled in
coord-figure-meetings = Meetings logged
coord-figure-reply-mentors = Median reply time of the mentors
coord-figure-reply-mentees = Median reply time of the mentees
coord-timeline-title = Contacts per week
coord-checkins = Check-ins
coord-checkins-none = No check-in has been sent yet.
coord-checkin-asked = Sent { $time }
coord-checkin-going-well = going well
coord-checkin-need-help = needs help
coord-checkin-want-to-end = wants to end
coord-checkin-no-answer = no answer yet
coord-checkin-hint = The members get a short question by mail and in the app. You see only the answer they choose.
coord-checkin-button = Send a check-in
coord-actions = Change this mentorship
coord-activate-hint = The mentorship is proposed. Activate it when both sides are ready.
coord-activate-button = Activate
coord-close-reason = Close the mentorship
coord-close-hint = The members keep reading what they wrote. Choose why it ends.
coord-close-choose = Choose a reason
coord-close-button = Close
coord-reason-completed = Completed
coord-reason-no-match = Not a good match
coord-reason-moved-away = Someone moved away
coord-reason-no-time = No time
coord-reason-other = Another reason
coord-repair-title = Re-pair
coord-repair-hint = This mentorship is closed and a new one starts with the people you choose, with the same rhythm. At least one mentor and one mentee.
coord-repair-not-in = Not in the new mentorship
coord-repair-button = Re-pair
coord-done-checkin = The check-in is sent.
coord-done-activated = The mentorship is active.
coord-done-closed = The mentorship is closed.
coord-done-repaired = This is the new mentorship. The old one is closed.
coord-error-reason = Choose why the mentorship ends
coord-error-closed = This mentorship is closed
coord-error-conflict = This cannot be done in the mentorship's present state
coord-error-forbidden = You cannot do this as the coordinator. Ask an administrator.
coord-error-members = Choose at least one mentor and one mentee

coord-settings-title = Settings of { $name }
coord-summary-title = Your weekly summary
coord-summary-intro = A mail once a week with the mentorships that need attention. It goes to you only.
coord-summary-enabled = Send me the weekly summary
coord-summary-on = Yes
coord-summary-off = No
coord-summary-weekday = Day
coord-summary-hour = Time
coord-summary-hour-hint = In your own time zone.
coord-summary-all-clear = Also when everything is on track
coord-summary-button = Save the summary settings
coord-done-summary = Your summary settings are saved.
coord-defaults-title = The programme's defaults
coord-defaults-intro = New mentorships start from this rhythm; their members may change it. The time zone and the days before "not started" apply to the figures at once.
coord-defaults-timezone = Time zone of the programme
coord-defaults-contact = Contact at least every
coord-defaults-contact-hint = Days, from 1 to 365.
coord-defaults-response = Reply within
coord-defaults-response-hint = Hours, from 1 to 2160.
coord-defaults-not-started = Not started after
coord-defaults-not-started-hint = Days after the start without a met contact window, from 1 to 365.
coord-defaults-button = Save the defaults
coord-done-defaults = The programme's defaults are saved.
coord-unit-days = days
coord-unit-hours = hours
coord-error-enabled = Choose whether you want the weekly summary
coord-error-weekday = Choose a day of the week
coord-error-hour = Choose a time
coord-error-timezone = Choose a time zone from the list
coord-error-contact-every-days = Enter a number of days from 1 to 365
coord-error-response-within-hours = Enter a number of hours from 1 to 2160
coord-error-not-started-days = Enter a number of days from 1 to 365

admin-title = Administration
admin-programmes = Programmes
admin-programmes-none = There is no programme yet.
admin-coordinators = Coordinators
admin-coordinators-none = No coordinator yet.
admin-remove = Remove { $name }
admin-add-coordinator = Add a coordinator
admin-add-coordinator-hint = The e-mail address of someone with an account.
admin-add-button = Add
admin-new-programme = New programme
admin-programme-name = Name of the programme
admin-create-button = Create the programme
admin-outgoing = Outgoing mail that failed
admin-outgoing-none = No outgoing mail failed.
admin-incoming = Incoming mail that could not be read
admin-incoming-none = No incoming mail failed.
admin-metadata-only = When, the address and the reason only; never a subject or a text.
admin-col-when = When
admin-col-to = To
admin-col-from = From
admin-col-kind = Kind
admin-col-reason = Reason
admin-col-action = Action
admin-attempts = { $count ->
    [one] 1 attempt
   *[other] { $count } attempts
}
admin-retry = Try again for { $address }
admin-unknown = unknown
admin-done-programme = The programme is created.
admin-done-coordinator = The coordinator is added.
admin-done-removed = The coordinator is removed.
admin-done-retried = The mail is queued again.
admin-error-name = Enter a name of 1 to 100 characters
admin-error-email = Enter the address of an existing account
