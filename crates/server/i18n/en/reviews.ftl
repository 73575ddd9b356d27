# Periodic reviews (guidance F8). The question texts (review-<field>) are shared by
# the web form and the review mail.

review-meetings = Do your meetings happen as planned?
review-time = Is there enough time for the mentoring?
review-topics = Are the topics you wanted to talk about covered?
review-growth = How do you see the growth towards the goals?
review-satisfaction = How satisfied are you with the mentorship?
review-continue = Do you want to continue?
review-comments = Anything else you want to note
review-satisfaction-hint = From 1 (not satisfied at all) to 5 (very satisfied).
review-continue-hint = Your coordinator sees this choice and your score, never what you write.
review-score-1 = 1 – not satisfied at all
review-score-2 = 2 – not very satisfied
review-score-3 = 3 – fairly satisfied
review-score-4 = 4 – satisfied
review-score-5 = 5 – very satisfied
review-choice-continue = Yes, continue as we are
review-choice-stop = No, I would like to stop
review-choice-change = Continue, but something should change
review-title = Your reviews
review-title-round = { $count ->
    [one] Your review after { $count } month
   *[other] Your review after { $count } months
}
review-intro = A short look back at how the mentorship goes. Answer the questions you want to; you can change your answers later.
review-next = No review is due now. The next one comes on { $date }.
review-closed = You can no longer answer reviews in this mentorship.
review-privacy = Your answers are for you alone: the other members do not read them. Your coordinator only sees your score and whether you want to continue, stop or change something.
review-done = Your review is saved. Thank you!
review-button = Save the review
review-yours = Your reviews
review-saved-on = saved { $time }
review-back = Back to the mentorship
review-prompt = { $count ->
    [one] Your review after { $count } month is ready.
   *[other] Your review after { $count } months is ready.
}
review-prompt-link = Fill it in when it suits you
ms-error-meetings-too-long = This answer has at most 2,000 characters
ms-error-meetings-control-characters = This answer contains characters that cannot be saved
ms-error-time-too-long = This answer has at most 2,000 characters
ms-error-time-control-characters = This answer contains characters that cannot be saved
ms-error-topics-too-long = This answer has at most 2,000 characters
ms-error-topics-control-characters = This answer contains characters that cannot be saved
ms-error-growth-too-long = This answer has at most 2,000 characters
ms-error-growth-control-characters = This answer contains characters that cannot be saved
ms-error-comments-too-long = This answer has at most 2,000 characters
ms-error-comments-control-characters = This answer contains characters that cannot be saved
ms-error-satisfaction-out-of-range = Choose a score from 1 to 5
ms-error-continue-invalid = Choose continue, stop or change
ms-error-round-not-due = This review is not due yet

# The coordinator's side: the programme setting and the figures.
coord-defaults-review = Periodic review
coord-defaults-review-hint = Both members are asked how the mentorship goes, counted from its start.
coord-review-every = { $count ->
    [one] Every month
   *[other] Every { $count } months
}
coord-error-review-every-months = Choose every 4, 5 or 6 months
coord-figure-review-satisfaction = Satisfaction in the latest reviews (1–5)
coord-figure-review-choices = Continue, stop, change
coord-review-scores = { $text } (average { $average })
coord-review-choices-value = continue { $continue }, stop { $stop }, change { $change }
coord-review-none = No review answered yet
coord-review-no-score = no score given
coord-col-review = Latest reviews
coord-asks-change = asks for a change
