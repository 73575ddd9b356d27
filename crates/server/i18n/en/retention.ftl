# Retention: the warning before a closed mentorship's content is removed.
retention-mail-subject = Your mentorship's messages will be removed on { $date }
retention-mail-nobody = nobody else
retention-mail-body = Dear { $name },

    Your mentorship with { $names } closed on { $closed }. Your programme keeps what its members wrote for a set time after a mentorship closes. On { $date } the messages, session notes and forms of this mentorship will be removed for good.

    If you want to keep a copy, download your data before then:
    { $url }

    The dates of your contact stay, without any of the words.
retention-settings = Keep what members wrote after closing
retention-settings-hint = Months after a mentorship closes before its messages, notes and forms are removed (6 to 120). Members get a warning 30 days before.
retention-error-months = Choose a number of months from 6 to 120.
