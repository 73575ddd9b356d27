# Netiquettetips tijdens het schrijven (richtlijnen G3, G9, G10, G13). Elke tip heeft
# een korte titel en een zin of twee over het waarom; het zijn suggesties, nooit een
# reden om niet te versturen.

hint-subject-missing-title = Je bericht heeft nog geen onderwerp
hint-subject-missing-why = Met een onderwerpregel vinden jullie dit gesprek later makkelijk terug, en ziet de ander meteen waar het over gaat.

hint-subject-vague-title = Je onderwerp mag iets meer zeggen
hint-subject-vague-why = Een onderwerp als "Vraag" of "Hallo" past bij elk gesprek. Een paar woorden over het onderwerp zelf helpen jullie dit gesprek over een paar weken terug te vinden.

hint-shouting-title = Een deel van je tekst staat in hoofdletters
hint-shouting-why = Online lezen woorden in hoofdletters vaak als schreeuwen, ook als je ze alleen wilt benadrukken. Gewone letters, of een woord als "belangrijk", hebben hetzelfde gewicht zonder je stem te verheffen.

hint-wall-of-text-title = Een witregel hier en daar maakt dit makkelijker te lezen
hint-wall-of-text-why = Een lang bericht zonder alinea's is lastig te lezen op een scherm. Met een witregel tussen je gedachten kan de ander even pauzeren en punt voor punt antwoorden.

hint-late-reply-unacknowledged-title = Het bericht waarop je antwoordt heeft even gewacht
hint-late-reply-unacknowledged-why = Dit antwoord komt later dan de reactietijd die jullie hebben afgesproken. Een woord over het wachten laat de ander weten dat het gesprek je nog steeds ter harte gaat; meer uitleg dan je wilt geven is niet nodig.

hint-personal-data-phone-title = Dit lijkt op een telefoonnummer
hint-personal-data-phone-why = Berichten worden bewaard en gaan soms ook per e-mail. Deel een telefoonnummer alleen als jullie dat allebei goed vinden, zoals afgesproken in jullie spelregels.

hint-personal-data-iban-title = Dit lijkt op een rekeningnummer
hint-personal-data-iban-why = Een rekeningnummer is persoonlijke informatie die zelden in een mentorgesprek thuishoort. Berichten worden bewaard en gaan soms per e-mail, dus laat het misschien liever weg.

hint-personal-data-bsn-title = Dit lijkt op een burgerservicenummer (BSN)
hint-personal-data-bsn-why = Een burgerservicenummer is gevoelige persoonlijke informatie en hoort niet in een bericht. Jullie mentorgesprek heeft het nooit nodig.

hint-one-sided-title = De laatste tijd komt het meeste schrijfwerk van jouw kant
hint-one-sided-why = In de afgelopen vier weken kwam bijna elk bericht in deze mentorrelatie van jouw kant. Een vraag die de ander uitnodigt om het eigen verhaal te vertellen, brengt vaak meer dan nog een lang antwoord.
