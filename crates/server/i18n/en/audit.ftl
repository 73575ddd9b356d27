# The audit log (admins): who was shown whose personal data.
audit-title = Audit log
audit-link = Audit log: who looked at personal data
audit-back = Back to administration
audit-intro = Every time an admin or coordinator is shown personal data — lists of people, health pages and exports, failed mail — it is recorded here: who, what, when and from where. Nothing here can be changed or removed.
audit-entries = Accesses, newest first
audit-filter-actor = Who looked
audit-filter-person = Whom it concerned
audit-filter-hint = An e-mail address or an account id.
audit-filter-action = What
audit-filter-any = Anything
audit-filter-button = Show
audit-filter-clear = Show everything
audit-unknown-person = No account has that address or id.
audit-shown = { $count ->
    [0] No accesses recorded.
    [one] One access shown.
   *[other] { $count } accesses shown.
}
audit-col-when = When
audit-col-actor = Who
audit-col-action = What
audit-col-concerning = Concerning
audit-col-from = From
audit-request = request { $id }
audit-older = Older accesses
audit-mentorship = mentorship { $id }
audit-concerning-many = several people
audit-action-people-list = List of people
audit-action-person-read = One person's account
audit-action-health-page = Health page
audit-action-health-csv = Health export (CSV)
audit-action-mentorship-page = A mentorship's page
audit-action-mentorship-list = A programme's mentorships
audit-action-bouncing-list = Addresses that bounce
audit-action-failed-mail = Failed mail
audit-action-failed-inbound = Incoming mail that failed
audit-action-person-export = Export of a person's data
audit-action-person-erasure = Erasure of a person's data
audit-action-concern-read = A reported concern
audit-action-concern-shared = A concern shared by a member
audit-action-audit-read = The audit log
