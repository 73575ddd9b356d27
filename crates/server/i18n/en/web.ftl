# The web app's words (English). Every key here exists in nl/web.ftl too (a test checks).

## Frame
skip-to-content = Skip to content
nav-label = Main
nav-inbox = Inbox
nav-signed-in-as = Signed in as { $name }
nav-sign-out = Sign out
footer-text = mentorpost — asynchronous mentoring. Your coordinator sees how often you are in touch, never what you write.
breadcrumb = You are here
time-yesterday = yesterday { $time }
size-kb = { $count } KB

## Forms and errors
form-problem = There is a problem
error-prefix = Error:
error-help = If this keeps happening, tell your coordinator.
error-back = Go to your inbox
error-not-found = This page does not exist, or it is not yours to see
error-forbidden = You may not do this here
error-csrf = This form has expired. Go back, reload the page and try again.
error-bad-form = This form could not be read. Reload the page and try again.
error-too-large = That was too much to send at once
error-too-many = Too many tries. Wait a few minutes and try again.
error-unavailable = mentorpost is busy or being updated. Try again in a minute.
error-internal = Something went wrong on our side. It has been logged.
form-subject-subject-required = Write a subject line: a few words that say what this is about
form-subject-subject-too-long = A subject line has at most 200 characters
form-subject-control-characters = A subject line is one line of text
form-body-body-required = Write a message
form-body-body-too-long = This message is too long to send in one go. Split it into two.
form-body-control-characters = This message contains characters that cannot be sent
# $count: the limit in megabytes (kilobytes in form-files-too-large-kb).
form-files-too-large = These files are too large together: at most { $count } MB. Leave one out, or share it as a link. Your text is kept.
form-files-too-large-kb = These files are too large together: at most { $count } KB. Leave one out, or share it as a link. Your text is kept.
form-files-too-many = Attach at most { $count } files to one message. Your text is kept.

## Signing in
signin-title = Sign in
signin-email = E-mail address
signin-password = Password
signin-button = Sign in
signin-link-title = No password, or forgotten it?
signin-link-text = We can e-mail you a link that signs you in. It works once, for 15 minutes.
signin-link-button = E-mail me a sign-in link
signin-signed-out = You have signed out.
signin-link-sent = If this address belongs to an account, a sign-in link is on its way. Check your mail.
signin-link-invalid = This sign-in link has expired or was already used. Ask for a new one below.
signin-error-email-missing = Enter your e-mail address
signin-error-password-missing = Enter your password
signin-error-wrong = The e-mail address or password is not right
signin-error-wait = { $count ->
    [one] Too many tries. Wait a minute and try again.
   *[other] Too many tries. Wait { $count } minutes and try again.
}
signin-error-email-invalid = Enter an e-mail address like name@example.org
signin-error-links = Several links were sent just now. Wait a quarter of an hour, or use the newest one.
link-title = Sign in to mentorpost
link-text = Press the button to sign in on this device.
link-button = Sign me in

## Inbox
inbox-title = Inbox
inbox-threads = Conversations
inbox-unread-total = { $count ->
    [one] 1 unread message
   *[other] { $count } unread messages
}
inbox-unread = { $count ->
    [one] 1 new
   *[other] { $count } new
}
inbox-owes-reply = Waiting for your answer
inbox-only-you = only you
inbox-filter = Show conversations with
inbox-filter-all = everyone
inbox-filter-button = Show
inbox-new = New conversation
inbox-new-with = New conversation with { $name }
inbox-empty-title = No conversations yet
inbox-empty-text = Start one with "New conversation": introduce yourself, or propose what you would like to talk about first.
inbox-empty-filtered = There are no conversations in this mentorship yet.
inbox-no-mentorship-title = You are not in a mentorship yet
inbox-no-mentorship-text = Your coordinator will pair you with a mentor or mentee. You will get an e-mail when that has happened.

## Thread
thread-with = With { $name }
thread-messages = Messages
thread-new-messages = New
thread-by-mail = by e-mail
thread-show-quoted = Show quoted text
thread-attachments = Attachments
thread-earlier = Show earlier messages
thread-jump-unread = { $count ->
    [one] Go to the new message
   *[other] Go to the { $count } new messages
}
thread-reply-title = Reply
thread-reply-label = Your reply
thread-reply-hint = Your mentorship partner gets it at once, or by e-mail if that is how they take part.
thread-reply-button = Send reply
thread-closed = This conversation can no longer be answered.

## Files with a message
files-label = Add files (optional)
# $count: the limit in megabytes (kilobytes in files-hint-kb).
files-hint = Up to { $count } MB in total. Only the people in this mentorship can open them.
files-hint-kb = Up to { $count } KB in total. Only the people in this mentorship can open them.

## Compose
compose-title = New conversation
compose-subject = Subject
compose-subject-hint = A few words that say what this is about, so you can both find it later.
compose-body = Message
compose-button = Send

## The page's script
live-reconnecting = Connection lost. Reconnecting…
live-back = Connected again.
send-sending = Sending…
send-failed = Not sent. Check your connection and try again; your text is kept.
hint-dismiss = Dismiss
hint-label = A suggestion

## The coordinator's navigation inside a programme
coord-nav-label = Programme
coord-nav-programme = Programme: { $name }
coord-nav-dashboard = Overview
coord-nav-people = People
coord-nav-import = Invite from a list
coord-nav-pair = Pair people
coord-nav-settings = Programme settings
