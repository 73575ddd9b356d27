# Netiquette hints while writing (guidance G3, G9, G10, G13). Each hint has a short
# title and a sentence or two on why; they are suggestions, never a reason not to send.

hint-subject-missing-title = Your message has no subject yet
hint-subject-missing-why = A subject line helps you both find this conversation again later, and lets your reader see at a glance what it is about.

hint-subject-vague-title = Your subject could say more
hint-subject-vague-why = A subject such as "Question" or "Hello" fits every conversation. A few words about the topic help you both find this one again weeks from now.

hint-shouting-title = Part of your text is in capitals
hint-shouting-why = Online, words in capitals often read as shouting, even when you only mean to stress them. Ordinary letters, or a word like "important", carry the same weight without raising your voice.

hint-wall-of-text-title = A blank line here and there makes this easier to read
hint-wall-of-text-why = A long message without paragraphs is hard to take in on a screen. A blank line between thoughts lets your reader pause, and answer point by point.

hint-late-reply-unacknowledged-title = The message you are answering waited a while
hint-late-reply-unacknowledged-why = This reply comes later than the response time you agreed on. Saying a word about the wait helps the other person know the conversation still matters to you; there is no need to explain more than you want to.

hint-personal-data-phone-title = This looks like a phone number
hint-personal-data-phone-why = Messages are kept and may also travel by e-mail. Share a phone number only if you are both happy with that, as agreed in your ground rules.

hint-personal-data-iban-title = This looks like a bank account number
hint-personal-data-iban-why = A bank account number is personal information that rarely needs to be in a mentoring conversation. Messages are kept and may travel by e-mail, so consider leaving it out.

hint-personal-data-bsn-title = This looks like a citizen service number (BSN)
hint-personal-data-bsn-why = A citizen service number is sensitive personal information and is best kept out of messages. Your mentoring conversation never needs it.

hint-one-sided-title = Lately most of the writing has come from your side
hint-one-sided-why = Over the past four weeks nearly every message in this mentorship came from your side. A question that invites the other person to tell their story can do more than another long answer.
