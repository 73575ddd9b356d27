# The words of every mail and of the pages behind mailed links (English). Every key
# here exists in nl/mail.ftl too (a test checks). Mail bodies are plain text: their
# blank lines are kept; the code adds the final newline.

## Shared
mail-moment = { $date } at { $time }
mail-open-thread = Open the thread
mail-automatic = This is an automatic message; no need to answer it.

## A notification of one message
mail-missed = You have an unread message in “{ $subject }”.
mail-wrote = { $name } wrote on { $when }:
mail-answer = In answer to { $name }: “{ $text }”
mail-attachments = Attachments
mail-reply-hint = Reply to this e-mail to answer in the thread.
mail-new-thread-hint = To start a new conversation with a subject of its own, write to { $address }
mail-stop-question = Don't want these e-mails any more?
mail-stop = Unsubscribe

## Who joined or left (G12)
mail-joined =
    { $role ->
        [mentor] { $name } joined this mentorship as a mentor on { $when } and reads new threads from then on.
       *[mentee] { $name } joined this mentorship as a mentee on { $when } and reads new threads from then on.
    }
mail-left = { $name } left this mentorship on { $when }.

## Digests
digest-title-daily = Your daily mentorpost digest
digest-title-weekly = Your weekly mentorpost digest
digest-subject =
    { $title }: { $count ->
        [one] { $count } new message
       *[other] { $count } new messages
    }
digest-subject-changes = { $title }: who is in your mentorships changed
digest-intro = What is new in your mentorships since the last digest, by thread.
digest-how-to-reply = To answer in a thread, write to that thread's reply address below (not to this digest as a whole).
digest-reply-to = Reply to
digest-overdue =
    You owe a reply in { $count ->
        [one] { $count } thread
       *[other] { $count } threads
    } for longer than the agreed { $hours ->
        [one] { $hours } hour
       *[other] { $hours } hours
    }.
digest-actions-due = Actions due this week:
digest-action = { $number }. { $text } ({ $name }, due { $date })
digest-actions-how = To tick one off, write "done" and its number (for example "done { $number }") to { $address }.
digest-new-thread = To start a new conversation here, write to { $address }

## Reminders (F15)
reminder-subject = A reply is due soon: { $subject }
reminder-body =
    Hello,

    { $name } wrote in "{ $subject }" on { $when }. You agreed to answer within the time you set together, which is up by { $due }.

    Reply to this e-mail to answer in the thread, or open it: { $url }
    A short "I'll get back to you on Friday" is fine too.

## The coordinators' weekly summary (figures only)
summary-subject = Your weekly mentorpost summary
summary-intro =
    Hello { $name },

    How the mentorships you coordinate kept their agreed rhythm this week. Figures only: what members write stays between them.
summary-outro = This summary comes every week at the day and hour you chose.
summary-status-not-started = not started
summary-status-slowing = slowing
summary-status-dormant = dormant
summary-status-on-track = on track
summary-status-closed = closed
summary-days-since = , { $count } days since the last contact
summary-new-this-week = (new this week)
summary-overdue =
    { $names }: { $count ->
        [one] { $count } reply
       *[other] { $count } replies
    } overdue, the oldest for { $hours } hours
summary-bouncing = { $name }: e-mail address bouncing since { $date }
summary-no-mentorships = No current mentorships.
summary-all-on-track = All { $count } mentorships are on track.

## Sign-in link and address confirmation
signin-mail-subject = Your mentorpost login link
signin-mail-body =
    Hello { $name },

    This link logs you in to mentorpost. It works once and stays valid for 15 minutes:

    { $link }

    Did not ask for it? You can ignore this mail.
address-mail-subject = Confirm your e-mail address for mentorpost
address-mail-body =
    Hello,

    { $name } would like to add this address to their addresses at mentorpost, to be able to write from it too.

    Was that you? Open this link and confirm (it works once, for { $days } days):

    { $link }

    Not you? You can ignore this mail; nothing changes.

## Answers to received mail that could not be posted as it was
notice-unknown-sender-subject = Your mail could not be posted
notice-unknown-sender-body =
    Hello,

    We received your mail "{ $original }", but it was sent from an address that is not registered for this conversation, so it was not posted.

    If you take part in this mentorship, reply from the address at which you receive its mails. The person this conversation belongs to has been told, and can add this address with one click.

    { mail-automatic }
notice-general-address-subject = How to reply to a conversation
notice-general-address-body =
    Hello,

    Your mail "{ $original }" went to a general mentorpost address, so it was not posted in any conversation.

    To answer in one conversation, reply to the e-mail about that conversation, or write to the reply address listed under that thread in your digest. To start a new conversation, write to your mentorship's own address, shown at the bottom of every mail about it.

    { mail-automatic }
notice-not-your-address-subject = A mail for your conversation came from another address
notice-not-your-address-body =
    Hello,

    We received a mail for one of your mentorship conversations from { $address }, which is not one of your addresses, so nothing was posted.

    If that was you, this link adds the address to yours (it works once, for 7 days); then send the mail again:
    { $link }

    If it was not you, you need not do anything.
notice-subject-tip-subject = Tip: a subject line that says what it is about
notice-subject-tip-body =
    Hello,

    Your new conversation has been started. Its subject "{ $subject }" says little about what it is about, though. A subject that names the topic ("Preparing my first client meeting" rather than "Question") helps both of you find it back later and answer it well.

    You can keep writing in the conversation as it is.
notice-attachments-dropped-subject = Some attachments were too large
notice-attachments-dropped-body =
    Hello,

    Your message "{ $original }" was posted, but these attachments were over the size limit and were not stored:

    { $names }

    You could share them another way, for example as a link.

notice-actions-done-subject = Actions ticked off
notice-actions-done-body =
    Hello,

    These actions are now ticked off, for both of you:

    { $names }

    Opened one by mistake? The mentorship page in the web app can open it again.
notice-actions-none-subject = No action was ticked off
notice-actions-none-body =
    Hello,

    Your mail asked to tick actions off, but none of its numbers belongs to an action of this mentorship.
notice-actions-unknown = No action has the number { $numbers }: nothing changed for it.

## Pages behind mailed links
unsubscribe-title = Unsubscribe
unsubscribe-question = Stop receiving e-mail about this mentorship?
unsubscribe-button = Unsubscribe
unsubscribe-done = Done: you will get no more e-mail about this mentorship.
add-address-title = Add address
add-address-question = Add { $address } to your addresses, so that you can write from it?
add-address-button = Add
add-address-done = Done: you can now write from { $address } too. Feel free to send your mail again.

## Mail to postmaster, passed on to the admins
postmaster-subject = Mail to postmaster: { $subject }
postmaster-body =
    A mail to { $address } arrived from { $from }. It is attached as it came.

    Mail to postmaster is for the people who run this mentorpost instance: delivery problems, abuse reports, questions from other mail servers. It is not posted anywhere.

## A session logged, for members who read by mail (F5)
session-mail-subject = { $name } logged your session of { $date }
session-mail-intro = { $name } logged the session you had on { $date }. What you agreed, for your own records:
session-mail-goal = Learning goal:
session-mail-explored = What you explored:
session-mail-actions = Actions agreed:
session-mail-due = due { $date }
session-mail-how = When one is done, answer this mail with "done" and its number, for example "done { $number }".
session-mail-link = The mentorship in the web app: { $link }

## The agreement
contract-mail-subject = Your mentoring agreement, version { $version }: please read and confirm
contract-mail-body =
    Hello { $name },

    This is the agreement of your mentorship with { $other }, version { $version }. Only the members of the mentorship read it; your coordinator sees whether it is confirmed and how often you agreed to be in touch, never what it says. { $who }

    { $text }
    { $title }

    To confirm this version and accept the charter, reply to this mail with one word: agree

    To change something, open the agreement on the web: { $link }
    Whatever else you write in a reply is not passed on; talk the agreement over with the others in a conversation.
contract-mail-goals-yours = The goals are yours: write them in your own words.
contract-mail-goals-mentee = The goals are the mentee's own.
contract-mail-schedule = { $text }. In touch at least every { $days } days; an answer within { $hours } hours.
contract-mail-confirmed-subject = You confirmed the agreement
contract-mail-confirmed-body =
    Hello { $name },

    Thank you: you confirmed version { $version } of your agreement and accepted the netiquette and safety charter. { $text }

    The agreement: { $link }
contract-mail-all-confirmed = Everyone in the mentorship has confirmed it now.
contract-mail-waiting = Still to confirm: { $names }.
contract-mail-stale-subject = The agreement has changed since that mail
contract-mail-stale-body =
    Hello { $name },

    You answered “agree” to an earlier version of your agreement. It has changed since, so nothing was confirmed. Read the current version in the newest agreement mail and answer that one, or confirm it on the web: { $link }
contract-mail-unclear-subject = Your answer to the agreement mail
contract-mail-unclear-body =
    Hello { $name },

    We could not read your answer as a confirmation, and it was not passed on to anyone. To confirm the agreement, reply to the agreement mail with one word: agree

    To change the agreement, or to talk it over with the others, open it on the web: { $link }
