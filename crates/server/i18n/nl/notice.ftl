# De privacyverklaring: de ingebouwde standaardtekst (zolang een programma er zelf geen
# heeft gepubliceerd), de pagina die vraagt een nieuwe versie te aanvaarden, en de pagina
# waarop de coördinator er een publiceert. Elke sleutel staat ook in en/notice.ftl.

## De ingebouwde verklaring, alinea voor alinea
notice-default-who = Dit programma begeleidt zijn mentoring via mentorpost. De organisatie achter het programma is verantwoordelijk voor je gegevens; haar contactgegevens staan in de uitnodiging die je kreeg, en je coördinator kan je vertellen bij wie je terechtkunt.
notice-default-stored = Wat we bewaren: je naam, je e-mailadressen, je taal en tijdzone, het profiel dat je zelf schrijft, en alles wat je in je mentorship schrijft — berichten, de afspraken, notities van gesprekken, reflecties en evaluaties. We bewaren ook wanneer je schrijft en leest, omdat het contactritme daaruit wordt berekend.
notice-default-members = Wie leest wat je schrijft: alleen de deelnemers van je mentorship. Wie later instapt, ziet niet wat er vóór zijn of haar komst is geschreven.
notice-default-coordinators = Wat de coördinatoren zien: alleen cijfers — hoe vaak en hoe snel jullie contact hebben, of een gesprek heeft plaatsgevonden, of de afspraken bevestigd zijn. Zij lezen nooit je berichten, je afspraken of je formulieren. Ook de beheerders van de dienst kunnen ze in de app niet lezen.
notice-default-sharing = Alleen jij beslist of je iets met de coördinator deelt: een bericht, een gesprek of een eigen notitie. Voordat je bevestigt, zie je precies wat de coördinator zal lezen, en de andere deelnemers van je mentorship horen dat je iets hebt gedeeld.
notice-default-keep = Hoe lang: zolang je mentorship loopt, en daarna zo lang als de organisatie achter het programma haar dossiers bewaart; je coördinator kan je vertellen hoe lang dat is. Het origineel van een mail die je ons stuurt, wordt na 30 dagen verwijderd.
notice-default-rights = Je rechten (AVG): je mag je gegevens inzien, laten verbeteren of exporteren, vragen ze te verwijderen, en je toestemming op elk moment intrekken door dat aan je coördinator te laten weten. Je kunt ook een klacht indienen bij de toezichthouder (in Nederland de Autoriteit Persoonsgegevens, in België de Gegevensbeschermingsautoriteit).

## Versies
notice-version-default = Privacyverklaring: de standaardtekst van mentorpost
notice-version = Privacyverklaring, versie { $number } van { $date }

## De pagina voordat je verdergaat, en de pagina om de verklaringen terug te lezen
notice-page-title = Privacyverklaringen
notice-page-none = Je neemt nog aan geen enkel programma deel.
notice-ask-title = Voordat je verdergaat: de privacyverklaring is gewijzigd
notice-ask-intro = Lees de nieuwe privacyverklaring. Zodra je akkoord gaat, ga je verder waar je naartoe wilde.
notice-ask-programme = { $programme }
notice-accept-button = Ik heb dit gelezen en ga akkoord
notice-ask-disagree = Ga je niet akkoord? Laat het je coördinator weten; je kunt op elk moment stoppen met deelnemen.
notice-footer-link = Privacyverklaring

## De pagina van de coördinator
notice-nav = Privacyverklaring
notice-coord-title = Privacyverklaring: { $name }
notice-coord-done = De nieuwe versie is gepubliceerd. Iedereen die deelneemt, wordt bij het volgende bezoek gevraagd die te lezen en te aanvaarden.
notice-coord-current = De verklaring nu
notice-coord-default = het programma heeft nog geen eigen tekst gepubliceerd
notice-coord-versions = Eerdere versies
notice-coord-edit = Een nieuwe versie schrijven
notice-coord-edit-intro = Schrijf de verklaring in het Engels en in het Nederlands. Laat een lege regel tussen alinea's. Je ziet een voorbeeld voordat er iets wordt gepubliceerd.
notice-coord-text-en = De verklaring in het Engels
notice-coord-text-nl = De verklaring in het Nederlands
notice-coord-preview-button = Voorbeeld bekijken
notice-coord-preview-title = Voorbeeld van versie { $number }
notice-coord-preview-intro = Zo lezen de deelnemers het. Publiceren vraagt iedereen die deelneemt om opnieuw akkoord te gaan.
notice-coord-publish = Versie { $number } publiceren
notice-error-empty = Schrijf de verklaring ook in deze taal
notice-error-too-long = De verklaring is te lang: hoogstens 20.000 tekens

## De mail aan deelnemers die alleen per e-mail meedoen, over een nieuwe versie
notice-mail-subject = { $programme }: de privacyverklaring is gewijzigd
notice-mail-intro =
    Beste { $name },

    De privacyverklaring van { $programme } is gewijzigd. Dit is de nieuwe tekst:
notice-mail-how = Ga je akkoord? Beantwoord deze mail met "akkoord" op de eerste regel. Ga je niet akkoord, of heb je een vraag? Laat het je coördinator weten; je kunt op elk moment stoppen met deelnemen.
