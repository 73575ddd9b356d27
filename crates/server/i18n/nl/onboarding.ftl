# Onboarding: uitnodigingen (de mail en de pagina achter de link), de pagina's van de
# coördinator voor mensen, importeren en koppelen, en de mail bij de start. Elke sleutel
# staat ook in en/onboarding.ftl (een test controleert dat).

## De uitnodiging
invite-mail-subject = Uitnodiging: { $programme } op mentorpost
invite-mail-body =
    Beste { $name },

    { $coordinator } nodigt je uit om mee te doen aan { $programme }, een mentorprogramma op mentorpost.

    Open deze link om de uitnodiging aan te nemen ({ $days ->
        [one] { $days } dag
       *[other] { $days } dagen
    } geldig):
    { $link }

    Daar lees je wie wat ziet en kies je: de webapp gebruiken met een wachtwoord, of alleen per e-mail meedoen.

    Liever alleen per e-mail? Beantwoord deze mail dan met "ja". Elk bericht, elke check-in en elke melding komt dan per mail, en je antwoordt door terug te mailen.

    Niemand stuurt je mentormail voordat je de uitnodiging aanneemt. Wil je niet meedoen, negeer deze mail dan.

## De mail bij de start (G5)
first-mail-subject = Je mentorrelatie in { $programme } is begonnen
first-mail-you-write = Jij schrijft eerst: stel je voor aan { $other }.
first-mail-they-write = { $other } schrijft eerst. Je mag ook zelf beginnen.
first-mail-suggested-subject = Kennismaking: wie ik ben en wat ik hoop te leren
first-mail-body =
    Beste { $name },

    De coördinator van { $programme } heeft je gekoppeld aan { $other }.

    { $who }

    Lees voor het eerste bericht de achtergrond en interesses van de ander, en bedenk wat je wilt afspreken: hoe vaak jullie schrijven en hoe snel jullie antwoorden.

    { $profiles }

    Een onderwerpregel voor het eerste bericht kan zijn:
    “{ $subject }”

    Schrijf in de webapp: { $link }
    Of per e-mail: schrijf naar { $address } — het onderwerp van je mail wordt het onderwerp van het gesprek.

## Labels
onb-role-mentor = Mentor
onb-role-mentee = Mentee
onb-language-en = Engels
onb-language-nl = Nederlands
onb-choose = Kies…

## De pagina met mensen
onb-people-title = Mensen
onb-people-summary = { $count } uitgenodigd en nog niet geantwoord, { $web } doen mee in de webapp, { $email } alleen per e-mail.
onb-people-import-link = Veel mensen tegelijk uitnodigen vanuit een spreadsheet (CSV)
onb-people-list-title = Uitnodigingen
onb-people-none = Er is nog niemand uitgenodigd.
onb-status-invited = Uitgenodigd
onb-status-expired = Verlopen
onb-status-revoked = Ingetrokken
onb-status-web = Aangenomen (webapp)
onb-status-email = Aangenomen (alleen e-mail)
onb-detail-invited = verstuurd { $date }, geldig tot { $due }
onb-detail-expired = verlopen { $date }
onb-detail-sent = verstuurd { $date }
onb-detail-accepted = aangenomen { $date }
onb-bouncing-since = Mail naar dit adres komt terug (sinds { $date }).
onb-resend = Opnieuw versturen
onb-revoke = Intrekken
onb-to-name = aan { $name }
onb-of-name = van { $name }
onb-invite-title = Eén persoon uitnodigen
onb-invite-hint = Die krijgt een uitnodiging per e-mail in de taal die je kiest.
onb-field-name = Naam
onb-field-email = E-mailadres
onb-field-role = Rol
onb-field-language = Taal
onb-field-timezone = Tijdzone
onb-field-timezone-hint = Bijvoorbeeld Europe/Amsterdam of Europe/Istanbul.
onb-invite-button = Uitnodiging versturen
onb-error-name = Vul een naam in van 1 tot 100 tekens
onb-error-email = Vul een e-mailadres in zoals naam@voorbeeld.nl
onb-error-email-taken = Dit adres is al uitgenodigd of doet al mee aan dit programma
onb-error-role = Kies mentor of mentee
onb-error-language = Kies een taal
onb-error-timezone = Vul een tijdzone in, zoals Europe/Amsterdam
onb-done-invited = De uitnodiging is onderweg.
onb-done-imported =
    { $count ->
        [one] { $count } uitnodiging is onderweg.
       *[other] { $count } uitnodigingen zijn onderweg.
    }
onb-done-resent = De uitnodiging is opnieuw verstuurd; de vorige link werkt niet meer.
onb-done-revoked = De uitnodiging is ingetrokken; de link werkt niet meer.

## Importeren
onb-import-title = Uitnodigen vanuit een spreadsheet
onb-preview-title = Controleer de lijst
onb-paste-title = Upload of plak de lijst
onb-fix-title = Verbeter de lijst en controleer opnieuw
onb-csv-label = Plak de lijst (CSV)
onb-csv-hint = Eén persoon per regel, met een eerste regel die de kolommen noemt: naam, e-mail, rol (mentor of mentee), en desgewenst taal (en of nl) en tijdzone. Kopieer de cellen uit je spreadsheet en plak ze hier, of plak de tekst van een CSV-bestand; scheidingstekens mogen komma's, puntkomma's of tabs zijn.
onb-check-button = Lijst controleren
onb-import-summary =
    { $count ->
        [one] { $count } persoon kan worden uitgenodigd
       *[other] { $count } mensen kunnen worden uitgenodigd
    }, { $bad ->
        [0] geen regels met problemen.
        [one] { $bad } regel heeft een probleem.
       *[other] { $bad } regels hebben problemen.
    }
onb-preview-bad-title = Regels met problemen (worden niet uitgenodigd)
onb-preview-good-title = Klaar om uit te nodigen
onb-preview-line = Regel { $line }
onb-preview-show-good =
    { $count ->
        [one] Toon de { $count } persoon
       *[other] Toon de { $count } mensen
    }
onb-confirm-button =
    { $count ->
        [one] { $count } persoon uitnodigen
       *[other] { $count } mensen uitnodigen
    }
onb-file-problems = De lijst kan niet worden gelezen
onb-file-empty = De lijst is leeg: er moet een eerste regel met de kolomnamen in staan.
onb-file-unreadable = De lijst kan niet als CSV worden gelezen (staat er een aanhalingsteken open?).
onb-file-too-many = De lijst heeft meer dan { $count } regels; splits hem op.
onb-file-unknown-column = Onbekende kolom ‘{ $column }’: de kolommen zijn naam, e-mail, rol, taal en tijdzone.
onb-file-missing-column = De kolom ‘{ $column }’ ontbreekt.
onb-file-duplicate-column = De kolom ‘{ $column }’ staat er twee keer in.
onb-row-cell_count = meer cellen dan de eerste regel kolommen heeft
onb-row-name_missing = de naam ontbreekt
onb-row-name_invalid = de naam is te lang of bevat stuurtekens
onb-row-email_invalid = geen geldig e-mailadres
onb-row-duplicate_in_file = hetzelfde adres als regel { $line }
onb-row-already_in_programme = al uitgenodigd of doet al mee aan dit programma
onb-row-unknown_role = de rol moet mentor of mentee zijn
onb-row-unknown_language = de taal moet en of nl zijn
onb-row-unknown_timezone = onbekende tijdzone (bijvoorbeeld Europe/Amsterdam)
onb-error-csv-empty = Kies een bestand of plak eerst de lijst
onb-error-nothing-valid = De lijst heeft geen regel die kan worden uitgenodigd; verbeter hem en controleer opnieuw

## Koppelen
onb-pair-title = Mensen koppelen
onb-pair-intro = Kies de mentor of mentoren en de mentee of mentees van een nieuwe mentorrelatie. Alleen wie de uitnodiging heeft aangenomen, kan worden gekozen. Iedereen erin krijgt een mail die zegt wie eerst schrijft en een eerste onderwerp voorstelt.
onb-pair-rhythm = Eerst geldt de afspraak van het programma: contact elke { $days ->
        [one] dag
       *[other] { $days } dagen
    }, antwoord binnen { $hours ->
        [one] { $hours } uur
       *[other] { $hours } uur
    }. De leden kunnen die samen aanpassen.
onb-pair-none = Nog niemand heeft een uitnodiging aangenomen.
onb-pair-mentors = Mentoren
onb-pair-mentees = Mentees
onb-pair-email-only = alleen e-mail
onb-pair-first = Wie schrijft eerst?
onb-pair-first-hint = Meestal de mentor. Bij omgekeerd mentoraat — de jongere begeleidt de oudere — spreek af wie begint.
onb-pair-first-mentor = De mentor of mentoren
onb-pair-first-mentee = De mentee of mentees
onb-pair-button = Mentorrelatie aanmaken
onb-error-pair-mentor = Kies minstens één mentor
onb-error-pair-mentee = Kies minstens één mentee
onb-error-pair-both = Iemand kan niet mentor en mentee zijn in dezelfde mentorrelatie
onb-error-pair-refused = Deze mentorrelatie kan niet worden aangemaakt: iemand heeft nog niet aangenomen, of je kunt zelf geen lid zijn
onb-done-paired = De mentorrelatie is aangemaakt en de leden zijn per mail ingelicht.

## De pagina achter de uitnodigingslink
onb-accept-title = Uitnodiging voor { $programme }
onb-accept-hello = Welkom, { $name }. Je bent uitgenodigd om mee te doen aan { $programme }.
onb-notice-title = Wie ziet wat
onb-accept-choose = Door aan te nemen ga je hiermee akkoord. Kies hoe je meedoet:
onb-accept-web-title = De webapp gebruiken
onb-accept-password = Kies een wachtwoord
onb-accept-password-hint = Minstens 10 tekens.
onb-accept-confirm = Typ het wachtwoord nog eens
onb-accept-web-button = Aannemen en inloggen
onb-accept-email-title = Alleen per e-mail meedoen
onb-accept-email-text = Geen wachtwoord: elk bericht, elke check-in en elke melding komt per mail, en je antwoordt door terug te mailen.
onb-accept-email-button = Aannemen, alleen per e-mail
onb-error-password = Kies een wachtwoord van minstens 10 tekens
onb-error-confirm = De twee wachtwoorden zijn niet gelijk
onb-accepted-email = Dank je: je doet mee per e-mail. Je eerste mail komt als je gekoppeld bent.
onb-accepted-already = Deze uitnodiging is al aangenomen.
onb-accepted-signin = Inloggen
onb-link-expired = Deze uitnodiging is verlopen. Vraag je coördinator om haar opnieuw te sturen.
onb-link-revoked = Deze uitnodiging is ingetrokken en werkt niet meer. Vraag je coördinator als je denkt dat dat een vergissing is.

## Uploading a file
onb-file-label = Upload een CSV-bestand
onb-file-hint = Een .csv- of .txt-bestand dat je uit je spreadsheet hebt opgeslagen, tot 1 MB.
onb-or = of
onb-file-wins = Je koos een bestand en plakte ook tekst: de lijst uit het bestand is hieronder gecontroleerd en staat nu in het vak.
onb-error-file-type = Kies een .csv- of .txt-bestand (sla de spreadsheet op “als CSV”)
onb-error-file-too-large = Het bestand is groter dan { $count } MB; splits de lijst in kleinere bestanden
