# Closure (guidance F10): the closing step, the closing form and the follow-up.

# The questions, also used by the forms answered by mail (`closing-{field}`, `follow_up-{field}`).
closing-key_moments = Key moments of the mentorship
closing-key_moments-hint = What stayed with you: a conversation, a step, a turning point. The others in your mentorship read this.
closing-thanks = A word of thanks for your mentor
closing-thanks-hint = A short note your mentor keeps. Only your mentor reads it.
closing-achieved = What did you achieve?
closing-achieved-hint = Private to you.
closing-not_achieved = What did you not achieve, and why?
closing-not_achieved-hint = Private to you.
closing-future_needs = What do you need from here on?
closing-future_needs-hint = Private to you.
follow_up-how_it_goes = How is it going now?
follow_up-how_it_goes-hint = Private to you, like every answer here.
follow_up-still_helps = What from the mentorship still helps you?
follow_up-still_helps-hint = A habit, an insight, a contact.
follow_up-needs_now = What do you need now?
follow_up-needs_now-hint = Anything you would like help with.

# The mentorship page's section.
closure-section-title = Closing the mentorship
closure-state-not-started = When the end of your mentorship comes near, a closing step invites each of you to look back, to thank and to evaluate. You can start it yourselves at any time.
closure-state-not-started-read = The closing step has not started.
closure-state-started = The closing step has started. { $count } of { $total } closing forms are in; the mentorship closes when everyone has filled theirs in.
closure-state-closed = The mentorship is closed. What you shared when closing stays readable.
closure-link-start = Start the closing step
closure-link-form = Fill in your closing form
closure-link-read = Read the closing step
closure-closed-on = This mentorship closed on { $date }.
closure-closed-readable = Everything stays here for you to read: the messages, the agreement and the sessions.
closure-done-closed = The mentorship is closed. Thank you both.
closure-follow-up-prompt = Some time has passed since your mentorship closed.
closure-follow-up-link = Tell us how it is going now

# The closing page.
closure-title = Closing the mentorship
closure-back = Back to the mentorship
closure-intro = A formal end: share key moments, thank your mentor, and look back at what you set out to do. Every question is optional. Your coordinator only sees whether the step started, how many forms are in and when it closed.
closure-figures = The closing step
closure-figure-started = Closing step started
closure-figure-started-by-end-date = { $date } (the end date came near)
closure-figure-not-started = Not yet
closure-figure-forms = Closing forms in
closure-figure-forms-value = { $count } of { $total }
closure-figure-closed = Closed on
closure-figure-not-closed = Not yet
closure-start-title = Start the closing step?
closure-start-explained = Everyone in the mentorship is invited to fill in a closing form. Nothing closes until all forms are in or one of you closes it. You can keep writing to each other meanwhile.
closure-start-button = Start the closing step
closure-start-not-now = Not now, back to the mentorship
closure-done-started = The closing step has started.
closure-done-form = Your closing form is saved. You can change it until the mentorship closes.
closure-shared-title = What the others shared
closure-shared-mentee = Shared by { $name }
closure-shared-mentor = Shared by { $name }, mentor
closure-thanks-for-you = Their thanks, for you to keep
closure-form-title = Your closing form
closure-form-intro-mentee = Answer the questions you want to. Your key moments are read by the others in the mentorship, your thanks by your mentor; the rest is yours alone.
closure-form-intro-mentor = Answer the questions you want to. Your key moments are read by the others in the mentorship; the rest is yours alone.
closure-form-button = Save my closing form
closure-now-title = Close now
closure-now-explained = You do not have to wait for every form: once the closing step has started, any of you can close the mentorship.
closure-now-summary = Close the mentorship now
closure-now-confirm = After closing, nobody writes anything new here. Everything stays readable to you.
closure-now-button = Yes, close the mentorship
closure-mine-title = Your closing form
closure-mine-private = What you achieved, did not achieve and need next is yours alone.

# The follow-up page.
closure-follow-up-title = Follow-up
closure-follow-up-intro = Some months after closing: how are things now? Your answers are yours alone; your coordinator does not read them.
closure-follow-up-button = Save my follow-up
closure-follow-up-done = Thank you. Your follow-up is saved.
closure-follow-up-later = The follow-up opens on { $date }.
closure-follow-up-none = There is no follow-up for you here.

# The coordinator's pages (figures only).
closure-coord-title = Closing step
closure-coord-intro = Whether the closing step started, how many closing forms are in and when it closed. Never what they say.
closure-dashboard-line = Closing: { $count } of { $total }
closure-settings-follow-up = Follow-up after closing
closure-settings-follow-up-hint = Months after a mentorship closes before its members are asked how it is going (1 to 24).
closure-unit-months = months
closure-error-follow-up-months = Enter a number of months from 1 to 24

# Problems with the forms.
ms-error-key-moments-too-long = This answer has at most 2,000 characters
ms-error-key-moments-control-characters = This answer contains characters that cannot be saved
ms-error-thanks-too-long = This answer has at most 2,000 characters
ms-error-thanks-control-characters = This answer contains characters that cannot be saved
ms-error-thanks-not-asked = The thanks note is written by a mentee, for the mentor
ms-error-achieved-too-long = This answer has at most 2,000 characters
ms-error-achieved-control-characters = This answer contains characters that cannot be saved
ms-error-not-achieved-too-long = This answer has at most 2,000 characters
ms-error-not-achieved-control-characters = This answer contains characters that cannot be saved
ms-error-future-needs-too-long = This answer has at most 2,000 characters
ms-error-future-needs-control-characters = This answer contains characters that cannot be saved
ms-error-how-it-goes-too-long = This answer has at most 2,000 characters
ms-error-how-it-goes-control-characters = This answer contains characters that cannot be saved
ms-error-still-helps-too-long = This answer has at most 2,000 characters
ms-error-still-helps-control-characters = This answer contains characters that cannot be saved
ms-error-needs-now-too-long = This answer has at most 2,000 characters
ms-error-needs-now-control-characters = This answer contains characters that cannot be saved
