# Profiles (G5): the "About you" section of the settings page, the first-contact view
# on the inbox and the mentorship page, and the profiles in the first-contact mail.
# Every key exists in nl/profile.ftl too (a test checks).

## The settings page's section
profile-title = About you
profile-intro = Your profile for your mentorships: the people you are paired with read it before the first message, and it comes with the mail that tells them about the pairing. Only they see it — not the coordinator, not the administrators.
profile-optional = Every field is optional and holds at most 2,000 characters.
profile-updated = Last saved { $time }.
profile-background = Background
profile-background-hint = Where you come from and what you do now: work, study, family — whatever you want to share.
profile-experience = Experience
profile-experience-hint = What you have done and learned that matters for this mentoring.
profile-interests = Interests
profile-interests-hint = What you like to talk about, at work and beyond.
profile-hopes = What you hope to give or get
profile-hopes-hint = As a mentor: what you would like to pass on. As a mentee: what you want to learn or reach.
# The same fields as others read them (about someone else, not "you").
profile-shown-background = Background
profile-shown-experience = Experience
profile-shown-interests = Interests
profile-shown-hopes = Hopes to give or get
profile-button = Save ‘About you’
profile-done = ‘About you’ is saved. The people in your mentorships read it.
profile-error-background-too-long = Background: write at most 2,000 characters.
profile-error-background-control-characters = Background: remove the invisible control characters (they may have come with pasted text).
profile-error-experience-too-long = Experience: write at most 2,000 characters.
profile-error-experience-control-characters = Experience: remove the invisible control characters (they may have come with pasted text).
profile-error-interests-too-long = Interests: write at most 2,000 characters.
profile-error-interests-control-characters = Interests: remove the invisible control characters (they may have come with pasted text).
profile-error-hopes-too-long = What you hope to give or get: write at most 2,000 characters.
profile-error-hopes-control-characters = What you hope to give or get: remove the invisible control characters (they may have come with pasted text).

## The first-contact view, until the first message
first-contact-title = Before your first message
first-contact-title-with = Before your first message to { $name }
first-contact-intro = Take a moment to read who { $name } is and what you agreed. Then start with a clear subject: it helps you both find the conversation later. This overview stays here until the first message.
first-contact-about = About { $name }
first-contact-no-profile = { $name } has not written a profile yet. Ask about their background and hopes in your first message.
first-contact-agreement = Your agreement
first-contact-rhythm = Contact at least { $days ->
        [one] every day
       *[other] every { $days } days
    }; an answer within { $hours ->
        [one] an hour
       *[other] { $hours } hours
    }.
first-contact-meetings = When you meet: { $text }
first-contact-ground-rules = Ground rules: { $text }
first-contact-goals = Goals: { $text }
first-contact-no-content = You have not written ground rules or goals yet: agree on them in your first messages, then note them in the agreement.
first-contact-agreement-link = Read or change the agreement
first-contact-subject-title = A first subject
first-contact-subject-intro = You could start with this subject:
first-contact-subject-button = Write your first message with this subject
first-contact-own = The people you are paired with read your profile too.
first-contact-own-link = Write or change what you tell them about yourself

## In the first-contact mail
first-mail-profile-title = What { $name } wrote about themselves:
first-mail-profile-none = { $name } has not written a profile yet: ask about their background and hopes in your first message.
