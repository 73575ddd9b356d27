# Sharing a concern with the coordinator (F4): the member's pages, the line the other
# members see, their mail, and the coordinator's page. Every key exists in
# nl/concerns.ftl too (a test checks).

## What was shared
concern-what-message = a message
concern-what-thread = a conversation
concern-what-note = a note
concern-subject = Subject: { $subject }
concern-note-label = Your words to the coordinator

## Sharing
concern-share-message = Share with the coordinator
concern-share-thread = Share this conversation with the coordinator
concern-back = Back to the mentorship
concern-write-title = Write to the coordinator
concern-write-intro = Something you want the coordinator of { $programme } to know? Write it here. You see exactly what they will read before it is sent.
concern-write-hint = Only the coordinator reads this, unless you let the other members read it too.
concern-confirm-title = Share { $what } with the coordinator?
concern-will-see = The coordinators of { $programme } will see exactly this:
concern-fact-name = They also see that you shared it, and when.
concern-fact-snapshot = A copy is made now: if the message is changed or removed later, what you shared stays as it is now.
concern-fact-nothing-else = Nothing else: no other message, conversation or subject of your mentorship, and no attachments.
concern-fact-others = { $names } will be told that you shared something with the coordinator.
concern-others-may-see = Let { $names } read what I shared too
concern-others-will-read = { $names } may read what you shared.
concern-others-will-not-read = { $names } will not see what you shared, only that you shared something.
concern-note-optional = A few words for the coordinator (optional)
concern-note-optional-hint = What you write here is shared as well.
concern-preview-button = Show what the coordinator will see
concern-share-button = Share with the coordinator
concern-cancel = Cancel
concern-error-empty = Write what you want to tell the coordinator
concern-error-too-long = That is too long: at most 4,000 characters

## The mentorship page
concern-section-title = The coordinator
concern-section-intro = The coordinator never reads what you write here. If you want them to know something, you can share it yourself; the others in your mentorship are told when you do.
concern-write-link = Write to the coordinator
concern-done = Shared with the coordinator. The others in your mentorship have been told.
concern-line-you = You shared { $what } with the coordinator on { $when }.
concern-line-other = { $name } shared { $what } with the coordinator on { $when }.
concern-line-show = Show what was shared

## The mail to the other members
concern-mail-subject = { $name } shared something with the coordinator
concern-mail-body =
    Dear { $other },

    { $name } has shared { $what } from your mentorship in { $programme } with the programme's coordinator.

    Nothing you write reaches the coordinator unless one of you shares it on purpose, and the others are always told — that is why you receive this mail.
concern-mail-shown = { $name } agreed that you may read what was shared:
concern-mail-not-shown = What was shared stays between { $name } and the coordinator.
concern-mail-link = Your mentorship: { $link }

## The coordinator's page
concern-nav = Shared with you
concern-coord-title = Shared with you: { $name }
concern-coord-intro = Members share a message, a conversation or a note with you only when they choose to. You see only what they shared, as it was at that moment.
concern-coord-none = Nobody has shared anything with you.
concern-coord-done = Saved.
concern-coord-mentorship = The mentorship's figures
concern-coord-note = What { $name } wrote to you
concern-coord-shared = What was shared
concern-shared-by = { $name } shared { $what } on { $when }
concern-status-new = New
concern-status-acknowledged = Acknowledged on { $when }
concern-status-resolved = Resolved on { $when }
concern-acknowledge = Acknowledge
concern-resolve = Mark as resolved
