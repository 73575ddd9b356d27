# Beveiliging: wachtwoorden, ingelogde apparaten, beveiligingsmails.
security-error-common-password = Dit is een van de meest gebruikte wachtwoorden, die als eerste worden geprobeerd door wie raadt. Kies een ander.
security-error-weak-password = Kies een wachtwoord van minstens 10 tekens dat niet uit één herhaald teken bestaat.
security-error-current-missing = Vul je huidige wachtwoord in.
security-error-current-wrong = Je huidige wachtwoord klopt niet.
security-error-confirm = De twee nieuwe wachtwoorden zijn niet gelijk.
security-title = Beveiliging
security-devices-title = Waar je bent ingelogd
security-devices-text = Browsers en apps die op je account zijn ingelogd. Log uit op apparaten die je niet herkent, en verander je wachtwoord.
security-this-device = dit apparaat
security-kind-web = browser
security-kind-api = app
security-signed-in = ingelogd { $when }
security-last-used = laatst gebruikt { $when }
security-last-used-unknown = sindsdien niet gebruikt
security-device = { $browser } op { $system }
security-device-unknown = een onbekend apparaat
security-sign-out-this = Hier uitloggen
security-sign-out-device = { $device } uitloggen
security-sign-out-others = Overal anders uitloggen
security-password-title = Je wachtwoord veranderen
security-current-password = Huidig wachtwoord
security-new-password = Nieuw wachtwoord
security-new-password-hint = Minstens 10 tekens. Je andere apparaten worden uitgelogd.
security-confirm-password = Nieuw wachtwoord nogmaals
security-password-button = Wachtwoord veranderen
security-done-password = Je wachtwoord is veranderd. Je andere apparaten zijn uitgelogd.
security-done-signed-out = Dat apparaat is uitgelogd.
security-done-signed-out-others = Je bent overal anders uitgelogd.
security-mail-sign-in-subject = Nieuwe aanmelding op je mentorpost-account
security-mail-sign-in-body = Beste { $name },

    Er is ingelogd op je mentorpost-account vanaf een apparaat dat we nog niet kenden:

    { $device }, { $when }, vanaf adres { $from }.

    Was jij dat, dan hoef je niets te doen. Zo niet, verander dan je wachtwoord en log dat apparaat uit op je instellingenpagina:
    { $link }
security-mail-password-subject = Je mentorpost-wachtwoord is veranderd
security-mail-password-body = Beste { $name },

    Het wachtwoord van je mentorpost-account is veranderd { $when }, vanaf adres { $from }. Je andere apparaten zijn uitgelogd.

    Was jij dat, dan hoef je niets te doen. Zo niet, log dan in met een link per e-mail via de inlogpagina en verander je wachtwoord op je instellingenpagina:
    { $link }
security-mail-address-subject = Er is een adres toegevoegd aan je mentorpost-account
security-mail-address-body = Beste { $name },

    Het adres { $address } is { $when } toegevoegd aan je mentorpost-account. Mail vanaf dat adres telt nu als de jouwe.

    Was jij dat, dan hoef je niets te doen. Zo niet, laat het de coördinator van je programma weten en kijk op je instellingenpagina:
    { $link }
