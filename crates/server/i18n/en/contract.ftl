# The agreement as a contract (F3, G3, G6, G11), English: the fields of the members'
# form on the mentorship page, its confirmation, the netiquette and safety charter,
# the list of earlier versions, and the coordinator's one line about it. Every key
# here exists in nl/contract.ftl too.

## The form's fields (the ground rules and rhythm are in mentorship.ftl)
contract-goals = Goals
contract-goals-hint = The mentee's own goals, in the mentee's words: specific, measurable, achievable, relevant and with a date (SMART). The mentor helps think them through, but does not write them.
contract-action-plan = Action plan and milestones
contract-action-plan-hint = The steps towards the goals, each with a date, for example “by 15 March: a first draft of my CV”.
contract-end-date = Initial end date
contract-end-date-hint = How long you agree to work together at first. You can agree to go on later.
contract-topics-excluded = Topics you leave out
contract-topics-excluded-hint = What you will not talk about in this mentorship, so neither of you has to say no each time.
contract-schedule = When, how and how often you meet
contract-mentor-time = The mentor's time
contract-mentor-time-hint = How much time the mentor can give, for example “two hours a month, not in August”.
contract-ending-early = How to end early
contract-ending-early-hint = What either of you does if it does not work out, for example “say so openly, or ask the coordinator”.
contract-ground-rules = Ground rules
contract-nothing-yet = Nothing agreed yet
contract-version = Version { $version }

## Where the members stand
contract-state-all = Confirmed by everyone on { $date }.
contract-state-you-waiting = You confirmed this version. Waiting for { $names }.
contract-state-changed = The agreement changed since you confirmed it. Read it again and confirm this version.
contract-state-not-yet = Not confirmed yet by { $names }.
contract-versions-link = Earlier versions of the agreement

## Confirming
contract-confirm-title = Confirm the agreement
contract-confirm-intro = Read the agreement above and the charter below. When all of you have confirmed, your coordinator sees that it is confirmed and when — never what it says. You can also confirm by replying “agree” to the agreement mail.
contract-charter-accept = I accept the netiquette and safety charter
contract-charter-accept-hint = Confirming this version of the agreement means you accept the charter too.
contract-confirm-button = Confirm version { $version }
contract-done-confirmed = Thank you: you confirmed the agreement.

## The netiquette and safety charter (G3); its version is CHARTER_VERSION in the model
charter-title = Netiquette and safety charter (version { $version })
charter-intro = Both of you agree to:
charter-respect = Write to each other with respect, as you would speak face to face; re-read a message before you send it.
charter-confidential = Keep what the other shares between you, unless they ask you to pass it on.
charter-consent = Never forward, copy or publish the other's messages, files or photos without asking.
charter-safe = Share no passwords, bank details or other data someone could misuse, and be careful with links and attachments.
charter-honest = Be honest about what you can and cannot do, and say so when you will answer later than agreed.
charter-boundaries = Respect the topics you left out and each other's time, and stop when the other asks you to.
charter-help = If something feels unsafe, harmful or inappropriate, stop, and tell your coordinator or another person you trust.

## Earlier versions
contract-versions-title = Earlier versions of your agreement
contract-versions-intro = Every change to the agreement is kept, so you can see what you agreed when.
contract-version-changed = Changed on { $time } by { $name }.
contract-version-first = As the mentorship started on { $time }.
contract-version-confirmed-by = Confirmed by { $names }.
contract-version-not-confirmed = Nobody confirmed this version.
contract-version-hidden = What was written in this version came before you joined.
contract-back = Back to the mentorship

## The coordinator's mentorship page: whether, never what
contract-coord-label = Agreement
contract-coord-confirmed = Confirmed on { $date }
contract-coord-not-confirmed = Not confirmed yet

## Problems with the form
ms-error-action-plan-too-long = The action plan has at most 10,000 characters
ms-error-action-plan-control-characters = The action plan contains characters that cannot be saved
ms-error-topics-excluded-too-long = The topics you leave out have at most 5,000 characters
ms-error-topics-excluded-control-characters = The topics you leave out contain characters that cannot be saved
ms-error-mentor-time-too-long = Describe the mentor's time in at most 500 characters
ms-error-mentor-time-control-characters = The mentor's time contains characters that cannot be saved
ms-error-ending-early-too-long = How to end early has at most 5,000 characters
ms-error-ending-early-control-characters = How to end early contains characters that cannot be saved
ms-error-end-date-invalid = Enter the end date like 2027-06-30, or leave it empty
ms-error-end-date-end-before-start = The end date is before the mentorship started
ms-error-end-date-too-far = The end date is at most five years after the start
ms-error-charter-required = Tick the box to accept the netiquette and safety charter
ms-error-charter-agreement-changed = The agreement changed while you read it. Read this version and confirm again.
