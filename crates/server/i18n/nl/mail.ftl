# De woorden van elke e-mail en van de pagina's achter gemailde links (Nederlands).
# Elke sleutel hier staat ook in en/mail.ftl (een test controleert dat). E-mails zijn
# platte tekst: hun lege regels blijven staan; de code voegt de laatste regelovergang toe.

## Gedeeld
mail-moment = { $date } om { $time }
mail-open-thread = Open de draad
mail-automatic = Dit is een automatisch bericht; je hoeft het niet te beantwoorden.

## Een melding van één bericht
mail-missed = Je hebt een ongelezen bericht in “{ $subject }”.
mail-wrote = { $name } schreef op { $when }:
mail-answer = Als antwoord op { $name }: “{ $text }”
mail-attachments = Bijlagen
mail-reply-hint = Beantwoord deze e-mail om te reageren in de draad.
mail-new-thread-hint = Een nieuw gesprek met een eigen onderwerp begin je door te schrijven naar { $address }
mail-stop-question = Wil je deze e-mails niet meer ontvangen?
mail-stop = Afmelden

## Wie erbij kwam of wegging (G12)
mail-joined =
    { $role ->
        [mentor] { $name } doet sinds { $when } mee als mentor en leest nieuwe draden vanaf dat moment.
       *[mentee] { $name } doet sinds { $when } mee als mentee en leest nieuwe draden vanaf dat moment.
    }
mail-left = { $name } doet sinds { $when } niet meer mee aan deze mentorrelatie.

## Overzichten
digest-title-daily = Je dagelijkse mentorpost-overzicht
digest-title-weekly = Je wekelijkse mentorpost-overzicht
digest-subject =
    { $title }: { $count ->
        [one] { $count } nieuw bericht
       *[other] { $count } nieuwe berichten
    }
digest-subject-changes = { $title }: wie er meedoet is veranderd
digest-intro = Wat er nieuw is in je mentorrelaties sinds het vorige overzicht, per draad.
digest-how-to-reply = Om in een draad te antwoorden, schrijf je naar het antwoordadres van die draad hieronder (niet naar dit overzicht als geheel).
digest-reply-to = Antwoorden aan
digest-overdue =
    Je bent in { $count ->
        [one] { $count } draad
       *[other] { $count } draden
    } een antwoord schuldig, langer dan de afgesproken { $hours } uur.
digest-actions-due = Acties die deze week klaar moeten zijn:
digest-action = { $number }. { $text } ({ $name }, klaar op { $date })
digest-actions-how = Afvinken? Schrijf "klaar" en het nummer (bijvoorbeeld "klaar { $number }") naar { $address }.
digest-new-thread = Een nieuw gesprek hier begin je door te schrijven naar { $address }

## Herinneringen (F15)
reminder-subject = Binnenkort een antwoord verwacht: { $subject }
reminder-body =
    Hallo,

    { $name } schreef op { $when } in "{ $subject }". Jullie spraken af binnen een bepaalde tijd te antwoorden; die is om op { $due }.

    Beantwoord deze e-mail om in de draad te reageren, of open hem: { $url }
    Een kort "ik kom er vrijdag op terug" is ook prima.

## Het wekelijkse overzicht voor coördinatoren (alleen cijfers)
summary-subject = Je wekelijkse mentorpost-overzicht
summary-intro =
    Hallo { $name },

    Zo hielden de mentorrelaties die je coördineert deze week hun afgesproken ritme aan. Alleen cijfers: wat deelnemers schrijven blijft tussen hen.
summary-outro = Dit overzicht komt elke week op de dag en het uur die je koos.
summary-status-not-started = niet gestart
summary-status-slowing = vertraagd
summary-status-dormant = stilgevallen
summary-status-on-track = op koers
summary-status-closed = afgesloten
summary-days-since = , { $count } dagen sinds het laatste contact
summary-new-this-week = (nieuw deze week)
summary-overdue =
    { $names }: { $count ->
        [one] { $count } antwoord
       *[other] { $count } antwoorden
    } te laat, het oudste al { $hours } uur
summary-bouncing = { $name }: e-mailadres onbereikbaar sinds { $date }
summary-no-mentorships = Geen lopende mentorrelaties.
summary-all-on-track = Alle { $count } mentorrelaties zijn op koers.

## Inloglink en adresbevestiging
signin-mail-subject = Je inloglink voor mentorpost
signin-mail-body =
    Hallo { $name },

    Met deze link log je in bij mentorpost. Hij werkt één keer en blijft 15 minuten geldig:

    { $link }

    Heb je niet om deze link gevraagd? Dan kun je deze mail negeren.
address-mail-subject = Bevestig je e-mailadres voor mentorpost
address-mail-body =
    Hallo,

    { $name } wil dit adres toevoegen aan zijn of haar adressen bij mentorpost, om er ook vanaf te kunnen schrijven.

    Was jij dat? Open dan deze link en bevestig (hij werkt één keer, { $days } dagen lang):

    { $link }

    Was jij het niet? Dan kun je deze mail negeren; er verandert niets.

## Antwoorden op ontvangen e-mail die niet zomaar geplaatst kon worden
notice-unknown-sender-subject = Je e-mail kon niet worden geplaatst
notice-unknown-sender-body =
    Hallo,

    We hebben je e-mail "{ $original }" ontvangen, maar die kwam van een adres dat niet bij dit gesprek hoort. Daarom is hij niet geplaatst.

    Neem je deel aan deze mentorrelatie? Antwoord dan vanaf het adres waarop je de berichten ontvangt. De eigenaar van dit gesprek heeft bericht gekregen en kan dit adres met één klik toevoegen.

    { mail-automatic }
notice-general-address-subject = Zo reageer je op een gesprek
notice-general-address-body =
    Hallo,

    Je e-mail "{ $original }" ging naar een algemeen mentorpost-adres en is daarom in geen enkel gesprek geplaatst.

    Wil je in één gesprek reageren? Beantwoord dan de e-mail over dat gesprek, of schrijf naar het antwoordadres dat in je overzicht onder die draad staat. Een nieuw gesprek begin je via het eigen adres van je mentorrelatie, dat onderaan elke e-mail erover staat.

    { mail-automatic }
notice-not-your-address-subject = Een e-mail voor je gesprek kwam van een ander adres
notice-not-your-address-body =
    Hallo,

    We hebben een e-mail voor een van je gesprekken ontvangen vanaf { $address }. Dat is niet een van jouw adressen, dus er is niets geplaatst.

    Was jij het? Met deze link voeg je het adres toe aan de jouwe (hij werkt één keer, 7 dagen lang); stuur de e-mail daarna opnieuw:
    { $link }

    Was jij het niet? Dan hoef je niets te doen.
notice-subject-tip-subject = Tip: een onderwerpregel die zegt waar het over gaat
notice-subject-tip-body =
    Hallo,

    Je nieuwe gesprek is begonnen. Het onderwerp "{ $subject }" zegt alleen weinig over waar het over gaat. Een onderwerp dat het thema noemt ("Voorbereiding eerste klantgesprek" in plaats van "Vraag") helpt jullie allebei om het later terug te vinden en goed te beantwoorden.

    Je kunt gewoon verder schrijven in het gesprek.
notice-attachments-dropped-subject = Sommige bijlagen waren te groot
notice-attachments-dropped-body =
    Hallo,

    Je bericht "{ $original }" is geplaatst, maar deze bijlagen waren te groot en zijn niet bewaard:

    { $names }

    Je kunt ze op een andere manier delen, bijvoorbeeld als link.

notice-actions-done-subject = Acties afgevinkt
notice-actions-done-body =
    Hallo,

    Deze acties zijn nu afgevinkt, voor jullie allebei:

    { $names }

    Per ongeluk afgevinkt? Op de pagina van de mentorrelatie in de webapp kun je een actie weer openen.
notice-actions-none-subject = Geen actie afgevinkt
notice-actions-none-body =
    Hallo,

    Je mail vroeg om acties af te vinken, maar geen van de nummers hoort bij een actie van deze mentorrelatie.
notice-actions-unknown = Geen actie heeft het nummer { $numbers }: daarvoor is niets veranderd.

## Pagina's achter gemailde links
unsubscribe-title = Afmelden
unsubscribe-question = Geen e-mail meer ontvangen over deze mentorrelatie?
unsubscribe-button = Afmelden
unsubscribe-done = Je bent afgemeld: je krijgt geen e-mail meer over deze mentorrelatie.
add-address-title = Adres toevoegen
add-address-question = Wil je { $address } toevoegen aan je adressen, zodat je vanaf dit adres kunt schrijven?
add-address-done = Klaar: je kunt nu ook vanaf { $address } schrijven. Stuur je e-mail gerust opnieuw.
add-address-button = Toevoegen

## E-mail aan postmaster, doorgestuurd naar de beheerders
postmaster-subject = E-mail aan postmaster: { $subject }
postmaster-body =
    Er kwam een e-mail aan { $address } binnen van { $from }. Hij zit als bijlage bij dit bericht, zoals hij binnenkwam.

    E-mail aan postmaster is voor wie deze mentorpost-installatie beheert: afleverproblemen, misbruikmeldingen, vragen van andere mailservers. Hij wordt nergens geplaatst.

## Een vastgelegde sessie, voor wie per mail leest (F5)
session-mail-subject = { $name } heeft jullie sessie van { $date } vastgelegd
session-mail-intro = { $name } heeft de sessie van { $date } vastgelegd. Wat jullie afspraken, voor je eigen overzicht:
session-mail-goal = Leerdoel:
session-mail-explored = Wat jullie verkenden:
session-mail-actions = Afgesproken acties:
session-mail-due = klaar op { $date }
session-mail-how = Is er een klaar? Beantwoord deze mail met "klaar" en het nummer, bijvoorbeeld "klaar { $number }".
session-mail-link = De mentorrelatie in de webapp: { $link }

## The agreement
contract-mail-subject = Jullie mentoringsovereenkomst, versie { $version }: lezen en bevestigen
contract-mail-body =
    Hallo { $name },

    Dit is de overeenkomst van je mentorrelatie met { $other }, versie { $version }. Alleen de leden van de mentorrelatie lezen haar; je coördinator ziet of ze bevestigd is en hoe vaak jullie contact afspraken, nooit wat erin staat. { $who }

    { $text }
    { $title }

    Om deze versie te bevestigen en het handvest te aanvaarden, beantwoord je deze mail met één woord: akkoord

    Iets veranderen? Open de overeenkomst op het web: { $link }
    Wat je verder in een antwoord schrijft, wordt niet doorgegeven; bespreek de overeenkomst met de anderen in een gesprek.
contract-mail-goals-yours = De doelen zijn van jou: schrijf ze in je eigen woorden.
contract-mail-goals-mentee = De doelen zijn van de mentee zelf.
contract-mail-schedule = { $text }. Contact minstens elke { $days } dagen; een antwoord binnen { $hours } uur.
contract-mail-confirmed-subject = Je hebt de overeenkomst bevestigd
contract-mail-confirmed-body =
    Hallo { $name },

    Dank je: je hebt versie { $version } van jullie overeenkomst bevestigd en het netiquette- en veiligheidshandvest aanvaard. { $text }

    De overeenkomst: { $link }
contract-mail-all-confirmed = Iedereen in de mentorrelatie heeft haar nu bevestigd.
contract-mail-waiting = Nog te bevestigen door: { $names }.
contract-mail-stale-subject = De overeenkomst is veranderd sinds die mail
contract-mail-stale-body =
    Hallo { $name },

    Je antwoordde „akkoord” op een eerdere versie van jullie overeenkomst. Ze is sindsdien veranderd, dus er is niets bevestigd. Lees de huidige versie in de nieuwste mail over de overeenkomst en beantwoord die, of bevestig haar op het web: { $link }
contract-mail-unclear-subject = Je antwoord op de mail over de overeenkomst
contract-mail-unclear-body =
    Hallo { $name },

    We konden je antwoord niet lezen als een bevestiging, en het is aan niemand doorgegeven. Om de overeenkomst te bevestigen, beantwoord je de mail over de overeenkomst met één woord: akkoord

    Wil je de overeenkomst veranderen of met de anderen bespreken? Open haar op het web: { $link }
