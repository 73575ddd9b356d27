## The journey's prompts by mail: forms answered by reply (reflection, review, closing,
## follow-up) and action reminders.

prompt-answer-how = Reply to this mail and write your answers under the questions; leave out any you like. Your words go only where the form says, never to your coordinator.
prompt-web = You can also fill it in on the web: { $link }
prompt-scale = { $text } (a number from 1 to 5)

prompt-reflection-subject = Your reflection on the session of { $date }
prompt-reflection-intro-mentee =
    Hello { $name },

    You had a session on { $date } with { $other }. A few lines on how it went help you both see the way you have come. Your mentor reads your reflection.
prompt-reflection-intro-mentor =
    Hello { $name },

    You had a session on { $date } with { $other }. A few lines on how it went help you see the way you have come. Your reflection stays private to you unless you share it on the web.

prompt-action-subject = Reminder: action { $number } is due { $date }
prompt-action-body =
    Hello { $name },

    An action you agreed in your mentorship with { $other } is due { $date }:

    { $number }. { $text }

    When it is done, answer this mail with "done { $number }". The mentorship in the web app: { $link }

prompt-recorded-subject = Your answers are recorded
prompt-recorded-body =
    Hello { $name },

    Thank you. This is what was recorded from your reply:

    { $text }
prompt-recorded-unclear = These answers could not be read, so they were left out: { $names }. Answer again with a number from 1 to 5, or one of the words the question offers.
prompt-recorded-change = To change something, reply again with the answers to change, or open it on the web: { $link }
prompt-nothing-subject = Your reply could not be read as answers
prompt-nothing-body =
    Hello { $name },

    No answers were found in your reply. Write each answer under its question, keeping the question's number at the start of its line, for example:

    1. { $text }
    Your answer here.

    You can also fill it in on the web: { $link }
prompt-closed-subject = This form can no longer be filled in
prompt-closed-body =
    Hello { $name },

    Your reply came to a form that can no longer be filled in (the mentorship has ended, or you are no longer one of its members). Nothing was recorded.

prompt-continue = { $text } (yes, no, or change)

prompt-review-subject = Time for a short review of your mentorship
prompt-review-intro =
    Hello { $name },

    Your mentorship with { $other } has been going for a while: time for a short look back (review { $number }). Do your meetings happen as planned, is there enough time, where do you stand with your goals? Your answers are for you alone; your coordinator sees only your score and whether you want to continue, stop or change something.

prompt-closing-subject = Closing your mentorship: looking back together
prompt-closing-intro =
    Hello { $name },

    Your mentorship with { $other } is coming to its end. Before it closes, look back: share the moments that mattered, say thank you, and note what you achieved and what you need from here on. The key moments are read by the others in your mentorship, a note of thanks by your mentor; the rest stays private to you. The mentorship closes when everyone has filled in the form.

prompt-follow-up-subject = Some months on: how are you doing?
prompt-follow-up-intro =
    Hello { $name },

    Some months ago your mentorship with { $other } closed. How is it going now, and what from it still helps you? A few lines are enough; they stay private to you.

prompt-profile-subject = Tell { $other } a little about yourself
prompt-profile-intro =
    Hello { $name },

    You have been paired with { $other }. Before you start, a few lines about yourself help them know who they write to: your background, your experience, what you like to talk about and what you hope to give or get. Only the people you are paired with read it.
