# The mentorship page (English): members, the agreement, the contact rhythm,
# meetings and check-ins. Every key here exists in nl/mentorship.ftl too.

ms-title = Mentorship with { $name }
ms-back = Conversations in this mentorship
ms-people = Who is in it
ms-you = you
ms-left-on = left on { $time }
ms-started = Started on { $time }.
ms-role-mentor = mentor
ms-role-mentee = mentee
ms-status-proposed = This mentorship has not started yet. Your coordinator will let you know when it does.
ms-status-closed = This mentorship has ended. Everything stays here for you to read.
ms-status-left = You are no longer in this mentorship. You can still read what was agreed while you were.

## Check-ins
ms-checkins = Check-ins
ms-checkins-none = Your coordinator has not asked how it is going yet. When they do, you can answer here or by e-mail.
ms-checkin-question = How is your mentorship going?
ms-checkin-asked = Asked { $time }.
ms-checkin-thread = Read the question
ms-checkin-private = Only your choice reaches your coordinator.
ms-checkin-going-well = It is going well
ms-checkin-need-help = I need help
ms-checkin-want-to-end = I want to end
ms-checkin-button = Send my answer
ms-checkin-of = Check-in of { $time }
ms-checkin-you-answered = you answered “{ $name }”
ms-done-checkin = Thank you. Your answer has been sent to your coordinator.

## Agreement
ms-agreement = Your agreement
ms-agreement-intro = What you agreed together at the start. You can change it whenever you both want to.
ms-agreement-updated = Last changed { $time }.
ms-content-hidden = The ground rules and goals were written before you joined. Ask the others to share them, or write new ones together.
ms-contact-every = Be in touch at least every
ms-contact-every-hint = A message from each of you, or a meeting, in every period of this many days (1 to 365).
ms-unit-days = days
ms-response-within = Answer a message within
ms-response-within-hint = How long a message may wait for an answer (1 to 2160 hours; 48 hours is two days).
ms-unit-hours = hours
ms-meeting-rhythm = When you meet
ms-meeting-rhythm-hint = For example “a video call every other Tuesday evening”. Your coordinator can see this and the two figures above, and whether you all confirmed the agreement — nothing else of it.
ms-ground-rules = Ground rules
ms-ground-rules-hint = What you expect of each other and what stays between you.
ms-goals = Goals
ms-goals-hint = What the mentee wants to achieve, in their own words. Only the two of you can read this.
ms-agreement-button = Save the agreement
ms-not-agreed = Nothing agreed yet
ms-done-agreement = The agreement has been saved.

## Contact rhythm
ms-rhythm = How often you are in touch
ms-rhythm-intro = These are the same figures your coordinator sees. They count when you wrote or met, never what you wrote.
ms-health-not-started = Not started yet
ms-health-not-started-why = There has not yet been a period in which you both wrote or met.
ms-health-on-track = On track
ms-health-on-track-why = You are in touch as often as you agreed.
ms-health-slowing = Slowing down
ms-health-slowing-why = It has been longer than agreed since you were last in touch.
ms-health-dormant = Gone quiet
ms-health-dormant-why = It has been more than twice as long as agreed since you were last in touch.
ms-health-closed = Ended
ms-health-closed-why = This mentorship has ended.
ms-figure-last-contact = Last contact
ms-days-ago = { $count ->
    [one] 1 day ago
   *[other] { $count } days ago
}
ms-no-contact-yet = No contact yet
ms-figure-windows = { $count ->
    [one] Days with contact
   *[other] Periods of { $count } days with contact
}
ms-windows-value = { $met } of { $elapsed }
ms-figure-meetings = Meetings logged
ms-figure-response-mentors = Mentors usually answer within
ms-figure-response-mentees = Mentees usually answer within
ms-hours = { $count ->
    [one] about 1 hour
   *[other] about { $count } hours
}
ms-less-than-an-hour = less than an hour
ms-not-yet = not known yet
ms-figure-overdue = { $count ->
    [one] Messages waiting longer than 1 hour
   *[other] Messages waiting longer than { $count } hours
}
ms-figure-messages = Messages in the last 90 days (mentors / mentees)
ms-messages-value = { $mentors } / { $mentees }
ms-weeks = Contacts per week
ms-weeks-table = Contacts per week as a table
ms-week = week { $count }
ms-chart-desc = { $count ->
    [one] 1 contact in the last { $weeks } weeks
   *[other] { $count } contacts in the last { $weeks } weeks
}

## Meetings
ms-meetings = Meetings
ms-meetings-none = No meetings logged yet.
ms-logged-by = Logged by { $name }
ms-minutes = { $count ->
    [one] 1 minute
   *[other] { $count } minutes
}
ms-mode-video = Video call
ms-mode-phone = Phone call
ms-mode-in-person = In person
ms-log-title = Log a meeting
ms-log-intro = A meeting counts as contact. Your coordinator sees that you met, never your note.
ms-date = Date
ms-time = Time it started (optional)
ms-time-hint = Leave empty if you do not remember.
ms-duration = How long it lasted
ms-unit-minutes = minutes
ms-mode = How you met
ms-note = Note (optional)
ms-note-hint = For the two of you: anything else worth remembering about this meeting.
ms-log-button = Log the meeting
ms-done-meeting = The meeting has been logged.

## Problems with the forms
ms-error-contact-every-days-not-a-number = Enter the number of days as a whole number, like 7
ms-error-contact-every-days-out-of-range = The number of days is between 1 and 365
ms-error-response-within-hours-not-a-number = Enter the number of hours as a whole number, like 48
ms-error-response-within-hours-out-of-range = The number of hours is between 1 and 2160
ms-error-meeting-rhythm-too-long = Describe when you meet in at most 200 characters
ms-error-meeting-rhythm-control-characters = Describe when you meet on one line of ordinary text
ms-error-ground-rules-too-long = The ground rules have at most 10,000 characters
ms-error-ground-rules-control-characters = The ground rules contain characters that cannot be saved
ms-error-goals-too-long = The goals have at most 10,000 characters
ms-error-goals-control-characters = The goals contain characters that cannot be saved
ms-error-date-invalid = Enter the date of the meeting, like 2026-12-06
ms-error-date-meeting-in-future = The date is in the future. Log a meeting once it has taken place.
ms-error-date-date-out-of-range = The date is too long ago for this programme
ms-error-time-invalid = Enter the time like 19:30, or leave it empty
ms-error-duration-minutes-not-a-number = Enter how long the meeting lasted in minutes, like 45
ms-error-duration-minutes-invalid-duration = A meeting lasts between 1 and 600 minutes
ms-error-mode-required = Choose how you met
ms-error-note-note-too-long = The note has at most 2,000 characters
ms-error-note-control-characters = The note contains characters that cannot be saved
ms-error-status-required = Choose how it is going

## Sessions (F5): learning goal, what was explored, actions agreed
ms-learning-goal = Learning goal of this session
ms-learning-goal-hint = What you wanted to learn or get further with. Optional.
ms-explored = What you explored
ms-explored-hint = A few lines on what you talked about and found out. Optional.
ms-actions-legend = Actions you agreed
ms-actions-hint = Up to three, each with who does it and, if you like, by when. Leave a row empty when you need fewer.
ms-action-text = Action { $number }
ms-action-owner = Who does it
ms-action-due-label = Due by (optional)
ms-session-actions = Actions agreed
ms-actions-title = Open actions
ms-actions-none = No open actions. What you agree in a session shows here until one of you ticks it off.
ms-action-due = due { $date }
ms-action-overdue = was due { $date }
ms-action-done-button = Mark action { $number } done
ms-action-reopen-button = Open action { $number } again
ms-actions-done-title = { $count ->
    [one] One action done
   *[other] { $count } actions done
}
ms-done-action = The action is ticked off.
ms-done-reopened = The action is open again.
ms-error-learning-goal-too-long = The learning goal has at most 2,000 characters
ms-error-learning-goal-control-characters = The learning goal contains characters that cannot be saved
ms-error-explored-too-long = What you explored has at most 2,000 characters
ms-error-explored-control-characters = What you explored contains characters that cannot be saved
ms-error-actions-action-text-missing = Say what the action is, or leave its row empty
ms-error-actions-owner-missing = Choose who does the action
ms-error-actions-owner-not-member = Choose someone who is in this mentorship now to do the action
ms-error-actions-due-invalid = Enter the due date like 2026-12-24, or leave it empty
ms-error-actions-date-out-of-range = The due date is too far away for this programme
ms-error-actions-action-too-long = An action has at most 300 characters
ms-error-actions-control-characters = Write each action on one line of ordinary text
ms-error-actions-too-many-actions = A session agrees at most 10 actions
