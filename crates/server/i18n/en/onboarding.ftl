# Onboarding: invitations (mail and the page its link opens), the coordinator's people,
# import and pairing pages, and the first-contact mail. Every key exists in
# nl/onboarding.ftl too (a test checks).

## The invitation mail
invite-mail-subject = Invitation: { $programme } on mentorpost
invite-mail-body =
    Dear { $name },

    { $coordinator } invites you to take part in { $programme }, a mentoring programme on mentorpost.

    To accept, open this link (valid for { $days ->
        [one] { $days } day
       *[other] { $days } days
    }):
    { $link }

    There you read who sees what and choose: use the web app with a password, or take part by e-mail only.

    Prefer e-mail only? Then simply reply to this mail with "yes". Every message, check-in and notice will then reach you by mail, and you answer by replying.

    Nobody sends you mentoring mail before you accept. If you do not want to take part, ignore this mail.

## The first-contact mail (G5)
first-mail-subject = Your mentorship in { $programme } has started
first-mail-you-write = You write first: introduce yourself to { $other }.
first-mail-they-write = { $other } will write first. You can also start yourself.
first-mail-suggested-subject = Getting to know each other: who I am and what I hope to learn
first-mail-body =
    Dear { $name },

    The coordinator of { $programme } has paired you with { $other }.

    { $who }

    Before the first message, read the other person's background and interests, and think about what you would like to agree on: how often you write and how soon you answer.

    { $profiles }

    A subject line for the first message could be:
    “{ $subject }”

    Write in the web app: { $link }
    Or by e-mail: write to { $address } — the subject of your mail becomes the subject of the conversation.

## Labels
onb-role-mentor = Mentor
onb-role-mentee = Mentee
onb-language-en = English
onb-language-nl = Dutch
onb-choose = Choose…

## The people page
onb-people-title = People
onb-people-summary = { $count } invited and not yet answered, { $web } taking part in the web app, { $email } by e-mail only.
onb-people-import-link = Invite many people at once from a spreadsheet (CSV)
onb-people-list-title = Invitations
onb-people-none = Nobody has been invited yet.
onb-status-invited = Invited
onb-status-expired = Expired
onb-status-revoked = Withdrawn
onb-status-web = Accepted (web app)
onb-status-email = Accepted (e-mail only)
onb-detail-invited = sent { $date }, valid until { $due }
onb-detail-expired = expired { $date }
onb-detail-sent = sent { $date }
onb-detail-accepted = accepted { $date }
onb-bouncing-since = Mail to this address bounces (since { $date }).
onb-resend = Send again
onb-revoke = Withdraw
onb-to-name = to { $name }
onb-of-name = of { $name }
onb-invite-title = Invite one person
onb-invite-hint = They get an invitation by e-mail in the language you choose.
onb-field-name = Name
onb-field-email = E-mail address
onb-field-role = Role
onb-field-language = Language
onb-field-timezone = Time zone
onb-field-timezone-hint = For example Europe/Amsterdam or Europe/Istanbul.
onb-invite-button = Send invitation
onb-error-name = Enter a name of 1 to 100 characters
onb-error-email = Enter an e-mail address like name@example.org
onb-error-email-taken = This address is already invited or taking part in this programme
onb-error-role = Choose mentor or mentee
onb-error-language = Choose a language
onb-error-timezone = Enter a time zone such as Europe/Amsterdam
onb-done-invited = The invitation is on its way.
onb-done-imported =
    { $count ->
        [one] { $count } invitation is on its way.
       *[other] { $count } invitations are on their way.
    }
onb-done-resent = The invitation was sent again; the earlier link no longer works.
onb-done-revoked = The invitation was withdrawn; its link no longer works.

## The import
onb-import-title = Invite from a spreadsheet
onb-preview-title = Check the list
onb-paste-title = Upload or paste the list
onb-fix-title = Correct the list and check again
onb-csv-label = Paste the list (CSV)
onb-csv-hint = One person per line, with a first line naming the columns: name, email, role (mentor or mentee), and if you like language (en or nl) and timezone. Copy the cells from your spreadsheet and paste them here, or paste a CSV file's text; separators may be commas, semicolons or tabs.
onb-check-button = Check the list
onb-import-summary =
    { $count ->
        [one] { $count } person can be invited
       *[other] { $count } people can be invited
    }, { $bad ->
        [0] no rows have problems.
        [one] { $bad } row has a problem.
       *[other] { $bad } rows have problems.
    }
onb-preview-bad-title = Rows with problems (not invited)
onb-preview-good-title = Ready to invite
onb-preview-line = Line { $line }
onb-preview-show-good =
    { $count ->
        [one] Show the { $count } person
       *[other] Show the { $count } people
    }
onb-confirm-button =
    { $count ->
        [one] Invite { $count } person
       *[other] Invite { $count } people
    }
onb-file-problems = The list cannot be read
onb-file-empty = The list is empty: it needs a first line with the column names.
onb-file-unreadable = The list cannot be read as CSV (is a quote left open?).
onb-file-too-many = The list has more than { $count } rows; split it up.
onb-file-unknown-column = Unknown column “{ $column }”: the columns are name, email, role, language and timezone.
onb-file-missing-column = The column “{ $column }” is missing.
onb-file-duplicate-column = The column “{ $column }” appears twice.
onb-row-cell_count = more cells than the first line has columns
onb-row-name_missing = the name is missing
onb-row-name_invalid = the name is too long or has control characters
onb-row-email_invalid = not a valid e-mail address
onb-row-duplicate_in_file = the same address as line { $line }
onb-row-already_in_programme = already invited or taking part in this programme
onb-row-unknown_role = the role must be mentor or mentee
onb-row-unknown_language = the language must be en or nl
onb-row-unknown_timezone = unknown time zone (for example Europe/Amsterdam)
onb-error-csv-empty = Choose a file or paste the list first
onb-error-nothing-valid = The list has no row that can be invited; correct it and check again

## Pairing
onb-pair-title = Pair people
onb-pair-intro = Choose the mentor or mentors and the mentee or mentees of a new mentorship. Only people who accepted their invitation can be chosen. Everyone in it gets a mail that says who writes first and suggests a first subject.
onb-pair-rhythm = The programme's agreement applies at first: contact every { $days ->
        [one] day
       *[other] { $days } days
    }, an answer within { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }. The members may change it together.
onb-pair-none = Nobody has accepted an invitation yet.
onb-pair-mentors = Mentors
onb-pair-mentees = Mentees
onb-pair-email-only = e-mail only
onb-pair-first = Who writes first?
onb-pair-first-hint = Usually the mentor. In reverse mentoring — the younger mentors the older — agree who starts.
onb-pair-first-mentor = The mentor or mentors
onb-pair-first-mentee = The mentee or mentees
onb-pair-button = Create the mentorship
onb-error-pair-mentor = Choose at least one mentor
onb-error-pair-mentee = Choose at least one mentee
onb-error-pair-both = A person cannot be mentor and mentee in the same mentorship
onb-error-pair-refused = This mentorship cannot be created: someone has not accepted yet, or you cannot be a member yourself
onb-done-paired = The mentorship was created and its members were told by mail.

## The page an invitation link opens
onb-accept-title = Invitation to { $programme }
onb-accept-hello = Welcome, { $name }. You are invited to take part in { $programme }.
onb-notice-title = Who sees what
onb-accept-choose = Accepting means you agree to this. Choose how you take part:
onb-accept-web-title = Use the web app
onb-accept-password = Choose a password
onb-accept-password-hint = At least 10 characters.
onb-accept-confirm = Type the password again
onb-accept-web-button = Accept and sign in
onb-accept-email-title = Take part by e-mail only
onb-accept-email-text = No password: every message, check-in and notice reaches you by mail, and you answer by replying.
onb-accept-email-button = Accept, by e-mail only
onb-error-password = Choose a password of at least 10 characters
onb-error-confirm = The two passwords are not the same
onb-accepted-email = Thank you: you take part by e-mail. Your first mail comes when you are paired.
onb-accepted-already = This invitation has already been accepted.
onb-accepted-signin = Sign in
onb-link-expired = This invitation has expired. Ask your coordinator to send it again.
onb-link-revoked = This invitation was withdrawn and no longer works. Ask your coordinator if you think that is a mistake.

## Uploading a file
onb-file-label = Upload a CSV file
onb-file-hint = A .csv or .txt file saved from your spreadsheet, up to 1 MB.
onb-or = or
onb-file-wins = You chose a file and pasted text as well: the file's list is the one checked below, and it is now in the box.
onb-error-file-type = Choose a .csv or .txt file (save the spreadsheet "as CSV")
onb-error-file-too-large = The file is larger than { $count } MB; split the list into smaller files
