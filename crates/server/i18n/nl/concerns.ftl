# Een zorg delen met de coördinator (F4): de pagina's van de deelnemer, de regel die de
# andere deelnemers zien, hun mail, en de pagina van de coördinator. Elke sleutel staat
# ook in en/concerns.ftl.

## Wat er gedeeld is
concern-what-message = een bericht
concern-what-thread = een gesprek
concern-what-note = een notitie
concern-subject = Onderwerp: { $subject }
concern-note-label = Jouw woorden aan de coördinator

## Delen
concern-share-message = Delen met de coördinator
concern-share-thread = Dit gesprek delen met de coördinator
concern-back = Terug naar de mentorship
concern-write-title = Schrijven aan de coördinator
concern-write-intro = Wil je dat de coördinator van { $programme } iets weet? Schrijf het hier. Voordat het wordt verstuurd, zie je precies wat de coördinator leest.
concern-write-hint = Alleen de coördinator leest dit, tenzij je de andere deelnemers het ook laat lezen.
concern-confirm-title = Wil je { $what } delen met de coördinator?
concern-will-see = De coördinatoren van { $programme } zien precies dit:
concern-fact-name = Ze zien ook dat jij het hebt gedeeld, en wanneer.
concern-fact-snapshot = Er wordt nu een kopie gemaakt: als het bericht later wordt gewijzigd of verwijderd, blijft wat je deelde zoals het nu is.
concern-fact-nothing-else = Verder niets: geen ander bericht, gesprek of onderwerp uit je mentorship, en geen bijlagen.
concern-fact-others = We laten { $names } weten dat je iets met de coördinator hebt gedeeld.
concern-others-may-see = Laat { $names } ook lezen wat ik deel
concern-others-will-read = Wat je deelt, is ook te lezen voor { $names }.
concern-others-will-not-read = Voor { $names } blijft verborgen wat je deelt; alleen dat je iets hebt gedeeld, is zichtbaar.
concern-note-optional = Een paar woorden voor de coördinator (niet verplicht)
concern-note-optional-hint = Wat je hier schrijft, wordt ook gedeeld.
concern-preview-button = Laten zien wat de coördinator ziet
concern-share-button = Delen met de coördinator
concern-cancel = Annuleren
concern-error-empty = Schrijf wat je de coördinator wilt vertellen
concern-error-too-long = Dat is te lang: hoogstens 4.000 tekens

## De pagina van de mentorship
concern-section-title = De coördinator
concern-section-intro = De coördinator leest nooit wat je hier schrijft. Wil je dat de coördinator iets weet, dan kun je het zelf delen; de anderen in je mentorship horen het als je dat doet.
concern-write-link = Schrijven aan de coördinator
concern-done = Gedeeld met de coördinator. De anderen in je mentorship hebben het bericht gekregen dat je iets hebt gedeeld.
concern-line-you = Je hebt op { $when } { $what } met de coördinator gedeeld.
concern-line-other = { $name } heeft op { $when } { $what } met de coördinator gedeeld.
concern-line-show = Laten zien wat er gedeeld is

## De mail aan de andere deelnemers
concern-mail-subject = { $name } heeft iets met de coördinator gedeeld
concern-mail-body =
    Beste { $other },

    { $name } heeft { $what } uit jullie mentorship in { $programme } gedeeld met de coördinator van het programma.

    Niets van wat jullie schrijven komt bij de coördinator terecht, tenzij een van jullie het bewust deelt, en dan horen de anderen het altijd — daarom krijg je deze mail.
concern-mail-shown = { $name } vindt het goed dat je leest wat er gedeeld is:
concern-mail-not-shown = Wat er gedeeld is, blijft tussen { $name } en de coördinator.
concern-mail-link = Jullie mentorship: { $link }

## De pagina van de coördinator
concern-nav = Met jou gedeeld
concern-coord-title = Met jou gedeeld: { $name }
concern-coord-intro = Deelnemers delen alleen een bericht, een gesprek of een notitie met je als ze daar zelf voor kiezen. Je ziet alleen wat ze hebben gedeeld, zoals het op dat moment was.
concern-coord-none = Niemand heeft iets met je gedeeld.
concern-coord-done = Opgeslagen.
concern-coord-mentorship = De cijfers van de mentorship
concern-coord-note = Wat { $name } je schreef
concern-coord-shared = Wat er gedeeld is
concern-shared-by = { $name } heeft op { $when } { $what } gedeeld
concern-status-new = Nieuw
concern-status-acknowledged = Gezien op { $when }
concern-status-resolved = Afgehandeld op { $when }
concern-acknowledge = Gezien
concern-resolve = Markeren als afgehandeld
