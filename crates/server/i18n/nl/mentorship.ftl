# De pagina van een mentorrelatie (Nederlands): de leden, de afspraken, het
# contactritme, ontmoetingen en check-ins. Elke sleutel staat ook in en/mentorship.ftl.

ms-title = Mentorrelatie met { $name }
ms-back = Gesprekken in deze mentorrelatie
ms-people = Wie doen er mee
ms-you = jij
ms-left-on = gestopt op { $time }
ms-started = Begonnen op { $time }.
ms-role-mentor = mentor
ms-role-mentee = mentee
ms-status-proposed = Deze mentorrelatie is nog niet begonnen. Je coördinator laat het je weten als het zover is.
ms-status-closed = Deze mentorrelatie is afgesloten. Alles blijft hier voor je te lezen.
ms-status-left = Je doet niet meer mee in deze mentorrelatie. Wat er werd afgesproken toen je meedeed, kun je nog lezen.

## Check-ins
ms-checkins = Check-ins
ms-checkins-none = Je coördinator heeft nog niet gevraagd hoe het gaat. Als dat gebeurt, kun je hier antwoorden of per e-mail.
ms-checkin-question = Hoe gaat jullie mentorrelatie?
ms-checkin-asked = Gevraagd { $time }.
ms-checkin-thread = Lees de vraag
ms-checkin-private = Alleen je keuze gaat naar je coördinator.
ms-checkin-going-well = Het gaat goed
ms-checkin-need-help = Ik heb hulp nodig
ms-checkin-want-to-end = Ik wil stoppen
ms-checkin-button = Stuur mijn antwoord
ms-checkin-of = Check-in van { $time }
ms-checkin-you-answered = je antwoordde “{ $name }”
ms-done-checkin = Dank je. Je antwoord is naar je coördinator gestuurd.

## Afspraken
ms-agreement = Jullie afspraken
ms-agreement-intro = Wat jullie bij het begin samen hebben afgesproken. Je kunt het aanpassen wanneer jullie dat allebei willen.
ms-agreement-updated = Laatst gewijzigd op { $time }.
ms-content-hidden = De spelregels en doelen zijn geschreven voordat jij erbij kwam. Vraag de anderen om ze te delen, of schrijf samen nieuwe.
ms-contact-every = Contact minstens elke
ms-contact-every-hint = Een bericht van ieder van jullie, of een ontmoeting, in elke periode van zoveel dagen (1 tot 365).
ms-unit-days = dagen
ms-response-within = Een bericht beantwoorden binnen
ms-response-within-hint = Hoe lang een bericht op antwoord mag wachten (1 tot 2160 uur; 48 uur is twee dagen).
ms-unit-hours = uur
ms-meeting-rhythm = Wanneer jullie afspreken
ms-meeting-rhythm-hint = Bijvoorbeeld „om de dinsdagavond een videogesprek”. Je coördinator ziet dit en de twee getallen hierboven, en of jullie de overeenkomst allemaal bevestigd hebben — verder niets ervan.
ms-ground-rules = Spelregels
ms-ground-rules-hint = Wat jullie van elkaar verwachten en wat tussen jullie blijft.
ms-goals = Doelen
ms-goals-hint = Wat de mentee wil bereiken, in eigen woorden. Alleen jullie tweeën kunnen dit lezen.
ms-agreement-button = Afspraken opslaan
ms-not-agreed = Nog niets afgesproken
ms-done-agreement = De afspraken zijn opgeslagen.

## Contactritme
ms-rhythm = Hoe vaak jullie contact hebben
ms-rhythm-intro = Dit zijn dezelfde cijfers die je coördinator ziet. Ze tellen wanneer jullie schreven of elkaar spraken, nooit wat jullie schreven.
ms-health-not-started = Nog niet begonnen
ms-health-not-started-why = Er is nog geen periode geweest waarin jullie allebei schreven of elkaar spraken.
ms-health-on-track = Op koers
ms-health-on-track-why = Jullie hebben zo vaak contact als afgesproken.
ms-health-slowing = Het wordt stiller
ms-health-slowing-why = Het laatste contact is langer geleden dan afgesproken.
ms-health-dormant = Stilgevallen
ms-health-dormant-why = Het laatste contact is meer dan twee keer zo lang geleden als afgesproken.
ms-health-closed = Afgesloten
ms-health-closed-why = Deze mentorrelatie is afgesloten.
ms-figure-last-contact = Laatste contact
ms-days-ago = { $count ->
    [one] 1 dag geleden
   *[other] { $count } dagen geleden
}
ms-no-contact-yet = Nog geen contact
ms-figure-windows = { $count ->
    [one] Dagen met contact
   *[other] Perioden van { $count } dagen met contact
}
ms-windows-value = { $met } van { $elapsed }
ms-figure-meetings = Vastgelegde ontmoetingen
ms-figure-response-mentors = Mentoren antwoorden meestal binnen
ms-figure-response-mentees = Mentees antwoorden meestal binnen
ms-hours = { $count ->
    [one] ongeveer 1 uur
   *[other] ongeveer { $count } uur
}
ms-less-than-an-hour = minder dan een uur
ms-not-yet = nog niet bekend
ms-figure-overdue = { $count ->
    [one] Berichten die langer dan 1 uur wachten
   *[other] Berichten die langer dan { $count } uur wachten
}
ms-figure-messages = Berichten in de laatste 90 dagen (mentoren / mentees)
ms-messages-value = { $mentors } / { $mentees }
ms-weeks = Contact per week
ms-weeks-table = Contact per week als tabel
ms-week = week { $count }
ms-chart-desc = { $count ->
    [one] 1 contact in de laatste { $weeks } weken
   *[other] { $count } contacten in de laatste { $weeks } weken
}

## Ontmoetingen
ms-meetings = Ontmoetingen
ms-meetings-none = Nog geen ontmoetingen vastgelegd.
ms-logged-by = Vastgelegd door { $name }
ms-minutes = { $count ->
    [one] 1 minuut
   *[other] { $count } minuten
}
ms-mode-video = Videogesprek
ms-mode-phone = Telefoongesprek
ms-mode-in-person = In het echt
ms-log-title = Een ontmoeting vastleggen
ms-log-intro = Een ontmoeting telt als contact. Je coördinator ziet dat jullie elkaar spraken, nooit je notitie.
ms-date = Datum
ms-time = Begintijd (niet verplicht)
ms-time-hint = Laat leeg als je het niet meer weet.
ms-duration = Hoe lang het duurde
ms-unit-minutes = minuten
ms-mode = Hoe jullie elkaar spraken
ms-note = Notitie (niet verplicht)
ms-note-hint = Voor jullie tweeën: wat verder de moeite waard is om te onthouden.
ms-log-button = Ontmoeting vastleggen
ms-done-meeting = De ontmoeting is vastgelegd.

## Problemen met de formulieren
ms-error-contact-every-days-not-a-number = Vul het aantal dagen in als heel getal, zoals 7
ms-error-contact-every-days-out-of-range = Het aantal dagen ligt tussen 1 en 365
ms-error-response-within-hours-not-a-number = Vul het aantal uren in als heel getal, zoals 48
ms-error-response-within-hours-out-of-range = Het aantal uren ligt tussen 1 en 2160
ms-error-meeting-rhythm-too-long = Beschrijf in hoogstens 200 tekens wanneer jullie afspreken
ms-error-meeting-rhythm-control-characters = Beschrijf op één regel gewone tekst wanneer jullie afspreken
ms-error-ground-rules-too-long = De spelregels hebben hoogstens 10.000 tekens
ms-error-ground-rules-control-characters = De spelregels bevatten tekens die niet kunnen worden opgeslagen
ms-error-goals-too-long = De doelen hebben hoogstens 10.000 tekens
ms-error-goals-control-characters = De doelen bevatten tekens die niet kunnen worden opgeslagen
ms-error-date-invalid = Vul de datum van de ontmoeting in, zoals 2026-12-06
ms-error-date-meeting-in-future = Die datum ligt in de toekomst. Leg een ontmoeting vast als die heeft plaatsgevonden.
ms-error-date-date-out-of-range = Die datum is te lang geleden voor dit programma
ms-error-time-invalid = Vul de tijd in zoals 19:30, of laat het leeg
ms-error-duration-minutes-not-a-number = Vul in hoeveel minuten de ontmoeting duurde, zoals 45
ms-error-duration-minutes-invalid-duration = Een ontmoeting duurt tussen 1 en 600 minuten
ms-error-mode-required = Kies hoe jullie elkaar spraken
ms-error-note-note-too-long = De notitie heeft hoogstens 2.000 tekens
ms-error-note-control-characters = De notitie bevat tekens die niet kunnen worden opgeslagen
ms-error-status-required = Kies hoe het gaat

## Sessies (F5): leerdoel, wat jullie verkenden, afgesproken acties
ms-learning-goal = Leerdoel van deze sessie
ms-learning-goal-hint = Wat je wilde leren of waar je verder mee wilde komen. Niet verplicht.
ms-explored = Wat jullie verkenden
ms-explored-hint = Een paar regels over wat jullie bespraken en ontdekten. Niet verplicht.
ms-actions-legend = Afgesproken acties
ms-actions-hint = Hoogstens drie, elk met wie het doet en, als je wilt, wanneer. Laat een regel leeg als je er minder nodig hebt.
ms-action-text = Actie { $number }
ms-action-owner = Wie doet het
ms-action-due-label = Klaar op (niet verplicht)
ms-session-actions = Afgesproken acties
ms-actions-title = Open acties
ms-actions-none = Geen open acties. Wat jullie in een sessie afspreken, staat hier tot een van jullie het afvinkt.
ms-action-due = klaar op { $date }
ms-action-overdue = had klaar moeten zijn op { $date }
ms-action-done-button = Actie { $number } afvinken
ms-action-reopen-button = Actie { $number } weer openen
ms-actions-done-title = { $count ->
    [one] Eén actie afgerond
   *[other] { $count } acties afgerond
}
ms-done-action = De actie is afgevinkt.
ms-done-reopened = De actie staat weer open.
ms-error-learning-goal-too-long = Het leerdoel heeft hoogstens 2.000 tekens
ms-error-learning-goal-control-characters = Het leerdoel bevat tekens die niet bewaard kunnen worden
ms-error-explored-too-long = Wat jullie verkenden heeft hoogstens 2.000 tekens
ms-error-explored-control-characters = Wat jullie verkenden bevat tekens die niet bewaard kunnen worden
ms-error-actions-action-text-missing = Schrijf wat de actie is, of laat de regel leeg
ms-error-actions-owner-missing = Kies wie de actie doet
ms-error-actions-owner-not-member = Kies iemand die nu in deze mentorrelatie zit om de actie te doen
ms-error-actions-due-invalid = Vul de datum in zoals 2026-12-24, of laat hem leeg
ms-error-actions-date-out-of-range = De datum ligt te ver weg voor dit programma
ms-error-actions-action-too-long = Een actie heeft hoogstens 300 tekens
ms-error-actions-control-characters = Schrijf elke actie op één regel gewone tekst
ms-error-actions-too-many-actions = In een sessie spreken jullie hoogstens 10 acties af
