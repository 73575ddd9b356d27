# The privacy notice: the built-in default (used while a programme has published none),
# the page that asks to accept a new version, and the coordinator's page to publish one.
# Every key exists in nl/notice.ftl too (a test checks).

## The built-in notice, paragraph by paragraph
notice-default-who = This programme runs its mentoring on mentorpost. The programme's organisation is responsible for your data; you find its contact details in the invitation you received, and your coordinator can tell you who to ask.
notice-default-stored = What we keep: your name, your e-mail addresses, your language and time zone, the profile you choose to write, and everything you write in your mentorship — messages, the agreement, notes of meetings, reflections and reviews. We also keep when you write and read, because the contact rhythm is counted from that.
notice-default-members = Who reads what you write: only the members of your mentorship. Someone who joins later does not see what was written before they came.
notice-default-coordinators = What the coordinators see: figures only — how often and how quickly you are in touch, whether a meeting took place, whether the agreement is confirmed. They never read your messages, your agreement or your forms. The administrators of the service cannot read them in the app either.
notice-default-sharing = Only you decide to share something with the coordinator: a message, a conversation or a note of your own. You see exactly what the coordinator will read before you confirm, and the other members of your mentorship are told that you shared something.
notice-default-keep = How long: while your mentorship runs, and afterwards for the period the programme's organisation keeps its records; your coordinator can tell you how long that is. The original of a mail you send us is deleted after 30 days.
notice-default-rights = Your rights (GDPR): you may see, correct or export your data, ask for it to be deleted, and withdraw your consent at any time by telling your coordinator. You may also complain to the data protection authority (in the Netherlands the Autoriteit Persoonsgegevens, in Belgium the Gegevensbeschermingsautoriteit).

## Versions
notice-version-default = Privacy notice: the standard text of mentorpost
notice-version = Privacy notice, version { $number } of { $date }

## The page before going on, and the page to read the notices again
notice-page-title = Privacy notices
notice-page-none = You take part in no programme yet.
notice-ask-title = Before you go on: the privacy notice has changed
notice-ask-intro = Please read the new privacy notice. Once you agree, you go on to where you were heading.
notice-ask-programme = { $programme }
notice-accept-button = I have read this and agree
notice-ask-disagree = Do you not agree? Tell your coordinator; you can stop taking part at any time.
notice-footer-link = Privacy notice

## The coordinator's page
notice-nav = Privacy notice
notice-coord-title = Privacy notice: { $name }
notice-coord-done = The new version is published. Everyone who takes part is asked to read and accept it on their next visit.
notice-coord-current = The notice now
notice-coord-default = the programme has not published its own text yet
notice-coord-versions = Earlier versions
notice-coord-edit = Write a new version
notice-coord-edit-intro = Write the notice in English and in Dutch. Leave an empty line between paragraphs. You see a preview before anything is published.
notice-coord-text-en = The notice in English
notice-coord-text-nl = The notice in Dutch
notice-coord-preview-button = Preview
notice-coord-preview-title = Preview of version { $number }
notice-coord-preview-intro = This is how people will read it. Publishing asks everyone who takes part to accept it again.
notice-coord-publish = Publish version { $number }
notice-error-empty = Write the notice in this language too
notice-error-too-long = The notice is too long: at most 20,000 characters

## The mail to e-mail-only people about a new version
notice-mail-subject = { $programme }: the privacy notice has changed
notice-mail-intro =
    Dear { $name },

    The privacy notice of { $programme } has changed. This is the new text:
notice-mail-how = Do you agree? Reply to this mail with "agree" on the first line. Do you not agree, or do you have a question? Tell your coordinator; you can stop taking part at any time.
