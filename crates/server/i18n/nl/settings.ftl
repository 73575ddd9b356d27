# De instellingenpagina (Nederlands). Elke sleutel staat ook in en/settings.ftl (een test controleert dat).

nav-settings = Instellingen
settings-title = Instellingen

settings-done-mail = Je e-mailinstellingen zijn opgeslagen.
settings-done-mentorship = De e-mailinstelling voor deze mentorrelatie is opgeslagen.
settings-done-resumed = Je krijgt weer e-mail. Weigert je mailbox hem opnieuw, dan pauzeren we weer en zie je dat hier.
settings-done-profile = Je profiel is opgeslagen.
settings-done-email = We hebben een link naar het nieuwe adres gestuurd. Open hem daar om het adres toe te voegen; hij werkt 7 dagen.

## E-mail
settings-mail-title = Hoe je e-mail krijgt
settings-mode-legend = E-mail over nieuwe berichten
settings-mode-hint = Beveiligingsmail, zoals inloglinks, komt altijd meteen.
settings-mode-live = Alleen als ik een bericht niet gelezen heb
settings-mode-live-hint = Lees op de website; je krijgt een e-mail als een bericht een tijdje ongelezen blijft.
settings-mode-each = Een e-mail voor elk bericht
settings-mode-each-hint = Beantwoord een e-mail om in het gesprek te reageren.
settings-mode-daily = Eén overzicht per dag
settings-mode-daily-hint = Alle nieuwe berichten van de dag in één e-mail, op het uur dat je kiest.
settings-mode-weekly = Eén overzicht per week
settings-mode-weekly-hint = Alle nieuwe berichten van de week in één e-mail, op de dag en het uur dat je kiest.
settings-mode-off = Geen e-mail
settings-mode-off-hint = Je leest alles op de website.
settings-digest-hour = Tijdstip van het overzicht
settings-digest-weekday = Dag van het weekoverzicht
settings-digest-hint = Tijden zijn in je eigen tijdzone (zie Profiel).
settings-quiet-legend = Stille uren (niet verplicht)
settings-quiet-hint = Tussen deze tijden geen e-mail over losse berichten; die komt als ze voorbij zijn. Laat beide leeg voor geen stille uren.
settings-quiet-start = Van
settings-quiet-end = Tot
settings-mail-button = E-mailinstellingen opslaan

settings-weekday-1 = maandag
settings-weekday-2 = dinsdag
settings-weekday-3 = woensdag
settings-weekday-4 = donderdag
settings-weekday-5 = vrijdag
settings-weekday-6 = zaterdag
settings-weekday-7 = zondag

## Gepauzeerde e-mail
settings-paused-title = Je e-mail is gepauzeerd
settings-paused-text = E-mail naar je adres kwam steeds onbezorgd terug, dus sinds { $time } sturen we niets meer. Werkt je mailbox weer? Zet e-mail dan weer aan.
settings-paused-button = Stuur me weer e-mail

## Per mentorrelatie
settings-mentorships-title = E-mail per mentorrelatie
settings-mentorships-text = Een mentorrelatie kan een eigen instelling hebben. "Geen e-mail" in de algemene instelling hierboven zet toch alles stil.
settings-mentorship-with = Met { $name }
settings-mentorship-follow = Zoals de algemene instelling
settings-mentorship-button = Opslaan

## Profiel
settings-profile-title = Profiel
settings-name = Je naam
settings-name-hint = De naam die anderen in je mentorrelaties zien.
settings-language-legend = Taal
settings-language-en = English
settings-language-nl = Nederlands
settings-timezone = Tijdzone
settings-timezone-hint = Tijden op de website, overzichten en stille uren volgen die.
settings-profile-button = Profiel opslaan

## Adressen
settings-emails-title = Je e-mailadressen
settings-emails-text = E-mail komt naar je hoofdadres. Je kunt in je gesprekken schrijven vanaf elk van deze adressen.
settings-emails-main = hoofdadres
settings-emails-new = Een adres toevoegen
settings-emails-new-hint = We sturen er een link naartoe; het adres wordt toegevoegd zodra je de link opent.
settings-emails-button = Stuur de link

## Problemen
settings-error-mode = Kies hoe je e-mail wilt krijgen
settings-error-hour = Kies het tijdstip van het overzicht
settings-error-weekday = Kies de dag van het weekoverzicht
settings-error-delay = De wachttijd is 1 tot 1440 minuten
settings-error-quiet-time = Vul een tijd in, bijvoorbeeld 22:00
settings-error-quiet-incomplete = Vul voor stille uren een begin- én eindtijd in, of laat beide leeg
settings-error-quiet-same = Stille uren kunnen niet op hetzelfde moment beginnen en eindigen
settings-error-name-required = Vul je naam in
settings-error-name-too-long = Een naam heeft hoogstens 100 tekens
settings-error-name-invalid = Een naam is één regel tekst
settings-error-language = Kies een taal
settings-error-timezone = Kies een tijdzone uit de lijst
settings-error-email-invalid = Vul een e-mailadres in, bijvoorbeeld naam@voorbeeld.nl
settings-error-email-yours = Dit adres is al een van de jouwe
settings-error-email-wait = We hebben vandaag al een link naar dit adres gestuurd. Kijk in die mailbox, of probeer het morgen opnieuw.
