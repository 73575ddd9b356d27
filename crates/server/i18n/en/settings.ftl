# The settings page (English). Every key here exists in nl/settings.ftl too (a test checks).

nav-settings = Settings
settings-title = Settings

settings-done-mail = Your mail settings are saved.
settings-done-mentorship = The mail setting for this mentorship is saved.
settings-done-resumed = Mail is on again. If your mailbox refuses it once more, we will pause it again and tell you here.
settings-done-profile = Your profile is saved.
settings-done-email = We sent a link to the new address. Open it there to add the address; it works for 7 days.

## Mail
settings-mail-title = How you get mail
settings-mode-legend = Mail about new messages
settings-mode-hint = Security mail, such as sign-in links, always comes straight away.
settings-mode-live = Only when I have not read a message
settings-mode-live-hint = Read on the website; a mail comes when a message stays unread for a while.
settings-mode-each = A mail for every message
settings-mode-each-hint = You can answer each mail to reply in the conversation.
settings-mode-daily = One summary a day
settings-mode-daily-hint = All new messages of the day in one mail, at the hour you choose.
settings-mode-weekly = One summary a week
settings-mode-weekly-hint = All new messages of the week in one mail, on the day and at the hour you choose.
settings-mode-off = No mail
settings-mode-off-hint = You read everything on the website.
settings-digest-hour = Time of the summary
settings-digest-weekday = Day of the weekly summary
settings-digest-hint = Times are in your own time zone (see Profile).
settings-quiet-legend = Quiet hours (optional)
settings-quiet-hint = No mail about single messages between these times; it comes when they end. Leave both empty for no quiet hours.
settings-quiet-start = From
settings-quiet-end = Until
settings-mail-button = Save mail settings

settings-weekday-1 = Monday
settings-weekday-2 = Tuesday
settings-weekday-3 = Wednesday
settings-weekday-4 = Thursday
settings-weekday-5 = Friday
settings-weekday-6 = Saturday
settings-weekday-7 = Sunday

## Paused mail
settings-paused-title = Your mail is paused
settings-paused-text = Mail to your address kept coming back undelivered, so we stopped sending it on { $time }. Once your mailbox works again, turn mail back on.
settings-paused-button = Send me mail again

## Per mentorship
settings-mentorships-title = Mail per mentorship
settings-mentorships-text = A mentorship can have a setting of its own. "No mail" in the general setting above still silences everything.
settings-mentorship-with = With { $name }
settings-mentorship-follow = As the general setting
settings-mentorship-button = Save

## Profile
settings-profile-title = Profile
settings-name = Your name
settings-name-hint = The name others in your mentorships see.
settings-language-legend = Language
settings-language-en = English
settings-language-nl = Nederlands
settings-timezone = Time zone
settings-timezone-hint = Times on the website, summaries and quiet hours follow it.
settings-profile-button = Save profile

## Addresses
settings-emails-title = Your e-mail addresses
settings-emails-text = Mail comes to your main address. You can write in your conversations from any of these.
settings-emails-main = main address
settings-emails-new = Add an address
settings-emails-new-hint = We send a link to it; the address is added once you open the link.
settings-emails-button = Send the link

## Problems
settings-error-mode = Choose how you want to get mail
settings-error-hour = Choose the time of the summary
settings-error-weekday = Choose the day of the weekly summary
settings-error-delay = The waiting time is 1 to 1440 minutes
settings-error-quiet-time = Enter a time such as 22:00
settings-error-quiet-incomplete = Enter both a start and an end time for quiet hours, or leave both empty
settings-error-quiet-same = Quiet hours cannot start and end at the same time
settings-error-name-required = Enter your name
settings-error-name-too-long = A name has at most 100 characters
settings-error-name-invalid = A name is one line of text
settings-error-language = Choose a language
settings-error-timezone = Choose a time zone from the list
settings-error-email-invalid = Enter an e-mail address such as name@example.org
settings-error-email-yours = This address is already one of yours
settings-error-email-wait = We already sent a link to this address today. Look in its inbox, or try again tomorrow.
