## De stappen van het traject per mail: formulieren die je beantwoordt door te reageren
## (reflectie, evaluatie, afsluiting, follow-up) en herinneringen aan acties.

prompt-answer-how = Beantwoord deze mail en schrijf je antwoorden onder de vragen; sla over wat je wilt. Je woorden gaan alleen naar wie het formulier noemt, nooit naar je coördinator.
prompt-web = Je kunt het ook op het web invullen: { $link }
prompt-scale = { $text } (een getal van 1 tot 5)

prompt-reflection-subject = Je reflectie op de sessie van { $date }
prompt-reflection-intro-mentee =
    Hallo { $name },

    Je had op { $date } een sessie met { $other }. Een paar regels over hoe het ging laten jullie allebei zien welke weg je aflegt. Je mentor leest je reflectie.
prompt-reflection-intro-mentor =
    Hallo { $name },

    Je had op { $date } een sessie met { $other }. Een paar regels over hoe het ging laten je zien welke weg je aflegt. Je reflectie blijft van jou, tenzij je hem op het web deelt.

prompt-action-subject = Herinnering: actie { $number } moet { $date } klaar zijn
prompt-action-body =
    Hallo { $name },

    Een actie die je in je mentorschap met { $other } hebt afgesproken, moet { $date } klaar zijn:

    { $number }. { $text }

    Als hij klaar is, beantwoord deze mail dan met "klaar { $number }". Het mentorschap in de webapp: { $link }

prompt-recorded-subject = Je antwoorden zijn vastgelegd
prompt-recorded-body =
    Hallo { $name },

    Dank je wel. Dit is vastgelegd uit je antwoord:

    { $text }
prompt-recorded-unclear = Deze antwoorden konden niet gelezen worden en zijn weggelaten: { $names }. Antwoord opnieuw met een getal van 1 tot 5, of met een van de woorden die de vraag noemt.
prompt-recorded-change = Wil je iets veranderen, antwoord dan opnieuw met de antwoorden die anders moeten, of open het op het web: { $link }
prompt-nothing-subject = In je antwoord zijn geen antwoorden gevonden
prompt-nothing-body =
    Hallo { $name },

    In je antwoord zijn geen antwoorden op de vragen gevonden. Schrijf elk antwoord onder zijn vraag en laat het nummer van de vraag aan het begin van de regel staan, bijvoorbeeld:

    1. { $text }
    Hier je antwoord.

    Je kunt het ook op het web invullen: { $link }
prompt-closed-subject = Dit formulier kan niet meer worden ingevuld
prompt-closed-body =
    Hallo { $name },

    Je antwoord kwam bij een formulier dat niet meer kan worden ingevuld (het mentorschap is afgelopen, of je bent er geen lid meer van). Er is niets vastgelegd.

prompt-continue = { $text } (ja, nee of veranderen)

prompt-review-subject = Tijd voor een korte evaluatie van je mentorschap
prompt-review-intro =
    Hallo { $name },

    Je mentorschap met { $other } loopt nu een tijdje: tijd om kort terug te kijken (evaluatie { $number }). Vinden jullie gesprekken plaats zoals afgesproken, is er genoeg tijd, hoe staat het met je doelen? Je antwoorden zijn alleen voor jou; je coördinator ziet alleen je cijfer en of je wilt doorgaan, stoppen of iets wilt veranderen.

prompt-closing-subject = Je mentorschap afsluiten: samen terugkijken
prompt-closing-intro =
    Hallo { $name },

    Je mentorschap met { $other } loopt af. Kijk terug voordat het wordt afgesloten: deel de momenten die ertoe deden, zeg dank je wel, en schrijf op wat je hebt bereikt en wat je vanaf nu nodig hebt. De belangrijke momenten lezen de anderen in je mentorschap, een bedankje je mentor; de rest blijft van jou. Het mentorschap wordt afgesloten als iedereen het formulier heeft ingevuld.

prompt-follow-up-subject = Een paar maanden later: hoe gaat het met je?
prompt-follow-up-intro =
    Hallo { $name },

    Een paar maanden geleden is je mentorschap met { $other } afgesloten. Hoe gaat het nu, en wat helpt je er nog van? Een paar regels zijn genoeg; ze blijven van jou.

prompt-profile-subject = Vertel { $other } iets over jezelf
prompt-profile-intro =
    Hallo { $name },

    Je bent gekoppeld aan { $other }. Een paar regels over jezelf helpen de ander te weten aan wie die schrijft: je achtergrond, je ervaring, waar je graag over praat en wat je hoopt te geven of te krijgen. Alleen de mensen met wie je bent gekoppeld lezen het.
