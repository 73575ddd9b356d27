# The export of a person's data (GDPR right of access): the settings section, the
# readable index inside the zip, and the mail with the link to a large export.

settings-export-title = Your data
settings-export-text = Download everything mentorpost holds about you: your account and addresses, your profile, your mentorships with every message you wrote and received and their attachments, agreements, sessions and actions, your own forms, your consents and your mail settings. You get a zip file with a page to read it in any browser and JSON files for other programs.
settings-export-button = Download my data
settings-done-export = Your data is being put together. We will mail you a link as soon as it is ready; the link works for { $days } days.

export-title = Your data from mentorpost
export-intro = Everything mentorpost holds about { $name }, as it stood on { $time }.
export-how = Open this page in any browser, without internet. The folder “data” holds the same in JSON files, which other programs can read; the folder “attachments” holds the files of your messages.
export-files-title = The files
export-file-account = Your account, addresses, profile and sign-ins
export-file-programmes = Your programmes, invitations and consents
export-file-mentorships = Your mentorships: members, agreement and its versions, your confirmations, sessions, actions, check-in answers
export-file-messages = Every message you wrote or received, with what was cut from mail and the attachments
export-file-forms = Your own reflections, reviews, closing forms and follow-ups
export-file-mail = Your mail settings, the mail we sent you and the mail we received from you
export-file-concerns = What you shared with your coordinators
export-file-audit = Who looked at or changed your data on your behalf
export-file-everything = Everything above in one file
export-account-title = Your account
export-name = Name
export-email = Sign-in address
export-addresses = Further addresses
export-language = Language
export-timezone = Time zone
export-created = Account since
export-none = None
export-mentorships-title = Your mentorships
export-no-mentorships = You are not in any mentorship.
export-mentorship-heading = { $programme }: you as { $role }
export-mentorship-period = From { $date }
export-mentorship-left = You left on { $date }.
export-members = Members
export-threads-title = Conversations
export-no-threads = No conversations.
export-thread-meta = Started by { $name } on { $time } · { $count ->
    [one] one message
   *[other] { $count } messages
}
export-message-you = { $name } (you)
export-attachments = Attachments
export-quoted = Cut from the mail
export-elsewhere-title = Your messages in other conversations
export-counts-title = In numbers
export-count-messages = { $count ->
    [one] One message
   *[other] { $count } messages
}
export-count-attachments = { $count ->
    [one] One attachment
   *[other] { $count } attachments
}
export-count-forms = { $count ->
    [one] One form of your own
   *[other] { $count } forms of your own
}
export-footer = Made on { $time }. Ask your programme's coordinator or the administrator if something is missing or wrong.

export-mail-subject = Your data from mentorpost is ready
export-mail-body =
    Hello { $name },

    The export of your data is ready. Download it here, until { $date }:

    { $link }

    The file is deleted after that; you can ask for a new export on your settings page at any time.
export-mail-by-admin = An administrator of mentorpost asked for this export on your behalf.
export-mail-by-you = You asked for this export on your settings page. Did not ask for it? Tell your programme's coordinator.
