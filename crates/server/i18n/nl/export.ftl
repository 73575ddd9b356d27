# Het overzicht van iemands gegevens (AVG, recht op inzage): het onderdeel op de
# instellingenpagina, de leesbare pagina in het zipbestand en de mail met de link.

settings-export-title = Jouw gegevens
settings-export-text = Download alles wat mentorpost over jou bewaart: je account en adressen, je profiel, je mentorrelaties met elk bericht dat je schreef en ontving en de bijlagen, afspraken, gesprekken en acties, je eigen formulieren, je toestemmingen en je mailinstellingen. Je krijgt een zipbestand met een pagina om het in elke browser te lezen en JSON-bestanden voor andere programma's.
settings-export-button = Mijn gegevens downloaden
settings-done-export = We zetten je gegevens klaar. Zodra ze klaar zijn, mailen we je een link; die werkt { $days } dagen.

export-title = Jouw gegevens uit mentorpost
export-intro = Alles wat mentorpost over { $name } bewaart, zoals het er op { $time } voor stond.
export-how = Open deze pagina in een willekeurige browser, ook zonder internet. De map ‘data’ bevat hetzelfde in JSON-bestanden, die andere programma's kunnen lezen; de map ‘attachments’ bevat de bijlagen van je berichten.
export-files-title = De bestanden
export-file-account = Je account, adressen, profiel en inlogmomenten
export-file-programmes = Je programma's, uitnodigingen en toestemmingen
export-file-mentorships = Je mentorrelaties: deelnemers, de afspraken en hun versies, je bevestigingen, gesprekken, acties, antwoorden op check-ins
export-file-messages = Elk bericht dat je schreef of ontving, met wat uit mails is weggeknipt en de bijlagen
export-file-forms = Je eigen reflecties, evaluaties, afsluitformulieren en nagesprekken
export-file-mail = Je mailinstellingen, de mail die we je stuurden en de mail die we van je ontvingen
export-file-concerns = Wat je met je coördinatoren deelde
export-file-audit = Wie namens jou je gegevens heeft ingezien of gewijzigd
export-file-everything = Alles hierboven in één bestand
export-account-title = Je account
export-name = Naam
export-email = Inlogadres
export-addresses = Andere adressen
export-language = Taal
export-timezone = Tijdzone
export-created = Account sinds
export-none = Geen
export-mentorships-title = Je mentorrelaties
export-no-mentorships = Je zit in geen enkele mentorrelatie.
export-mentorship-heading = { $programme }: jij als { $role }
export-mentorship-period = Vanaf { $date }
export-mentorship-left = Je bent op { $date } vertrokken.
export-members = Deelnemers
export-threads-title = Gesprekken
export-no-threads = Geen gesprekken.
export-thread-meta = Begonnen door { $name } op { $time } · { $count ->
    [one] één bericht
   *[other] { $count } berichten
}
export-message-you = { $name } (jij)
export-attachments = Bijlagen
export-quoted = Weggeknipt uit de mail
export-elsewhere-title = Je berichten in andere gesprekken
export-counts-title = In getallen
export-count-messages = { $count ->
    [one] Eén bericht
   *[other] { $count } berichten
}
export-count-attachments = { $count ->
    [one] Eén bijlage
   *[other] { $count } bijlagen
}
export-count-forms = { $count ->
    [one] Eén eigen formulier
   *[other] { $count } eigen formulieren
}
export-footer = Gemaakt op { $time }. Mist er iets of klopt er iets niet? Vraag het de coördinator van je programma of de beheerder.

export-mail-subject = Je gegevens uit mentorpost staan klaar
export-mail-body =
    Hallo { $name },

    Het overzicht van je gegevens staat klaar. Je kunt het hier downloaden, tot { $date }:

    { $link }

    Daarna wordt het bestand verwijderd; op je instellingenpagina kun je altijd een nieuw overzicht aanvragen.
export-mail-by-admin = Een beheerder van mentorpost heeft dit overzicht namens jou aangevraagd.
export-mail-by-you = Je hebt dit overzicht aangevraagd op je instellingenpagina. Heb je dat niet gedaan? Laat het de coördinator van je programma weten.
