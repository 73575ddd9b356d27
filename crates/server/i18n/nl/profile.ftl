# Profielen (G5): het deel "Over jezelf" van de instellingen, het overzicht voor het
# eerste bericht in het postvak en op de pagina van de mentorrelatie, en de profielen
# in de mail bij de start. Elke sleutel staat ook in en/profile.ftl (een test
# controleert dat).

## Het deel van de instellingen
profile-title = Over jezelf
profile-intro = Je profiel voor je mentorrelaties: de mensen met wie je gekoppeld bent lezen het vóór het eerste bericht, en het staat in de mail waarin zij over de koppeling horen. Alleen zij zien het — niet de coördinator, niet de beheerders.
profile-optional = Elk veld is vrijwillig en bevat hoogstens 2.000 tekens.
profile-updated = Laatst opgeslagen: { $time }.
profile-background = Achtergrond
profile-background-hint = Waar je vandaan komt en wat je nu doet: werk, studie, gezin — wat je maar wilt delen.
profile-experience = Ervaring
profile-experience-hint = Wat je gedaan en geleerd hebt dat voor deze begeleiding telt.
profile-interests = Interesses
profile-interests-hint = Waar je graag over praat, op het werk en daarbuiten.
profile-hopes = Wat je hoopt te geven of te krijgen
profile-hopes-hint = Als mentor: wat je graag doorgeeft. Als mentee: wat je wilt leren of bereiken.
# Dezelfde velden zoals anderen ze lezen (over iemand anders, niet "je").
profile-shown-background = Achtergrond
profile-shown-experience = Ervaring
profile-shown-interests = Interesses
profile-shown-hopes = Hoopt te geven of te krijgen
profile-button = ‘Over jezelf’ opslaan
profile-done = ‘Over jezelf’ is opgeslagen. De mensen in je mentorrelaties lezen het.
profile-error-background-too-long = Achtergrond: schrijf hoogstens 2.000 tekens.
profile-error-background-control-characters = Achtergrond: haal de onzichtbare stuurtekens weg (ze kwamen misschien mee met geplakte tekst).
profile-error-experience-too-long = Ervaring: schrijf hoogstens 2.000 tekens.
profile-error-experience-control-characters = Ervaring: haal de onzichtbare stuurtekens weg (ze kwamen misschien mee met geplakte tekst).
profile-error-interests-too-long = Interesses: schrijf hoogstens 2.000 tekens.
profile-error-interests-control-characters = Interesses: haal de onzichtbare stuurtekens weg (ze kwamen misschien mee met geplakte tekst).
profile-error-hopes-too-long = Wat je hoopt te geven of te krijgen: schrijf hoogstens 2.000 tekens.
profile-error-hopes-control-characters = Wat je hoopt te geven of te krijgen: haal de onzichtbare stuurtekens weg (ze kwamen misschien mee met geplakte tekst).

## Het overzicht voor het eerste bericht
first-contact-title = Voor je eerste bericht
first-contact-title-with = Voor je eerste bericht aan { $name }
first-contact-intro = Lees eerst wie { $name } is en wat jullie hebben afgesproken. Begin dan met een duidelijk onderwerp: zo vinden jullie het gesprek later makkelijk terug. Dit overzicht blijft staan tot het eerste bericht.
first-contact-about = Over { $name }
first-contact-no-profile = { $name } heeft nog geen profiel geschreven. Vraag in je eerste bericht naar achtergrond en verwachtingen.
first-contact-agreement = Jullie afspraken
first-contact-rhythm = Contact minstens { $days ->
        [one] elke dag
       *[other] elke { $days } dagen
    }; een antwoord binnen { $hours ->
        [one] een uur
       *[other] { $hours } uur
    }.
first-contact-meetings = Wanneer jullie afspreken: { $text }
first-contact-ground-rules = Spelregels: { $text }
first-contact-goals = Doelen: { $text }
first-contact-no-content = Jullie hebben nog geen spelregels of doelen opgeschreven: spreek ze af in je eerste berichten en zet ze daarna bij de afspraken.
first-contact-agreement-link = De afspraken lezen of aanpassen
first-contact-subject-title = Een eerste onderwerp
first-contact-subject-intro = Je kunt beginnen met dit onderwerp:
first-contact-subject-button = Schrijf je eerste bericht met dit onderwerp
first-contact-own = Wie met jou gekoppeld is, leest jouw profiel ook.
first-contact-own-link = Schrijf of verander wat je over jezelf vertelt

## In de mail bij de start
first-mail-profile-title = Wat { $name } over zichzelf schreef:
first-mail-profile-none = { $name } heeft nog geen profiel geschreven: vraag in je eerste bericht naar achtergrond en verwachtingen.
