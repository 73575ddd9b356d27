# De woorden van de webapp (Nederlands). Elke sleutel staat ook in en/web.ftl (een test controleert dat).

## Omlijsting
skip-to-content = Naar de inhoud
nav-label = Hoofdmenu
nav-inbox = Postvak
nav-signed-in-as = Ingelogd als { $name }
nav-sign-out = Uitloggen
footer-text = mentorpost — mentoring op je eigen tijd. Je coördinator ziet hoe vaak jullie contact hebben, nooit wat je schrijft.
breadcrumb = Je bent hier
time-yesterday = gisteren { $time }
size-kb = { $count } kB

## Formulieren en fouten
form-problem = Er is iets niet goed
error-prefix = Fout:
error-help = Blijft dit gebeuren? Laat het je coördinator weten.
error-back = Naar je postvak
error-not-found = Deze pagina bestaat niet, of is niet voor jou
error-forbidden = Dit mag je hier niet doen
error-csrf = Dit formulier is verlopen. Ga terug, laad de pagina opnieuw en probeer het nog eens.
error-bad-form = Dit formulier kon niet worden gelezen. Laad de pagina opnieuw en probeer het nog eens.
error-too-large = Dat was te veel om in één keer te versturen
error-too-many = Te veel pogingen. Wacht een paar minuten en probeer het opnieuw.
error-unavailable = mentorpost is even bezet of wordt bijgewerkt. Probeer het over een minuut opnieuw.
error-internal = Er ging bij ons iets mis. Dat is vastgelegd.
form-subject-subject-required = Schrijf een onderwerp: een paar woorden die zeggen waar het over gaat
form-subject-subject-too-long = Een onderwerp heeft hoogstens 200 tekens
form-subject-control-characters = Een onderwerp is één regel tekst
form-body-body-required = Schrijf een bericht
form-body-body-too-long = Dit bericht is te lang om in één keer te versturen. Verdeel het over twee berichten.
form-body-control-characters = Dit bericht bevat tekens die niet verstuurd kunnen worden
# $count: de grens in megabytes (kilobytes in form-files-too-large-kb).
form-files-too-large = Deze bestanden zijn samen te groot: hoogstens { $count } MB. Laat er een weg, of deel het als link. Je tekst blijft bewaard.
form-files-too-large-kb = Deze bestanden zijn samen te groot: hoogstens { $count } kB. Laat er een weg, of deel het als link. Je tekst blijft bewaard.
form-files-too-many = Voeg hoogstens { $count } bestanden toe aan één bericht. Je tekst blijft bewaard.

## Inloggen
signin-title = Inloggen
signin-email = E-mailadres
signin-password = Wachtwoord
signin-button = Inloggen
signin-link-title = Geen wachtwoord, of vergeten?
signin-link-text = We kunnen je een link mailen waarmee je inlogt. Die werkt één keer, 15 minuten lang.
signin-link-button = Mail mij een inloglink
signin-signed-out = Je bent uitgelogd.
signin-link-sent = Als dit adres bij een account hoort, is er een inloglink onderweg. Kijk in je mail.
signin-link-invalid = Deze inloglink is verlopen of al gebruikt. Vraag hieronder een nieuwe aan.
signin-error-email-missing = Vul je e-mailadres in
signin-error-password-missing = Vul je wachtwoord in
signin-error-wrong = Het e-mailadres of wachtwoord klopt niet
signin-error-wait = { $count ->
    [one] Te veel pogingen. Wacht een minuut en probeer het opnieuw.
   *[other] Te veel pogingen. Wacht { $count } minuten en probeer het opnieuw.
}
signin-error-email-invalid = Vul een e-mailadres in zoals naam@voorbeeld.nl
signin-error-links = Er zijn net al een paar links verstuurd. Wacht een kwartier, of gebruik de nieuwste.
link-title = Inloggen bij mentorpost
link-text = Druk op de knop om op dit apparaat in te loggen.
link-button = Log mij in

## Postvak
inbox-title = Postvak
inbox-threads = Gesprekken
inbox-unread-total = { $count ->
    [one] 1 ongelezen bericht
   *[other] { $count } ongelezen berichten
}
inbox-unread = { $count ->
    [one] 1 nieuw
   *[other] { $count } nieuw
}
inbox-owes-reply = Wacht op jouw antwoord
inbox-only-you = alleen jij
inbox-filter = Toon gesprekken met
inbox-filter-all = iedereen
inbox-filter-button = Toon
inbox-new = Nieuw gesprek
inbox-new-with = Nieuw gesprek met { $name }
inbox-empty-title = Nog geen gesprekken
inbox-empty-text = Begin er een met "Nieuw gesprek": stel je voor, of stel voor waar je het eerst over wilt hebben.
inbox-empty-filtered = In deze mentorrelatie zijn nog geen gesprekken.
inbox-no-mentorship-title = Je hebt nog geen mentorrelatie
inbox-no-mentorship-text = Je coördinator koppelt je aan een mentor of mentee. Je krijgt een e-mail zodra dat gebeurd is.

## Gesprek
thread-with = Met { $name }
thread-messages = Berichten
thread-new-messages = Nieuw
thread-by-mail = per e-mail
thread-show-quoted = Toon geciteerde tekst
thread-attachments = Bijlagen
thread-earlier = Toon eerdere berichten
thread-jump-unread = { $count ->
    [one] Naar het nieuwe bericht
   *[other] Naar de { $count } nieuwe berichten
}
thread-reply-title = Antwoorden
thread-reply-label = Je antwoord
thread-reply-hint = Je mentorpartner krijgt het meteen, of per e-mail als die zo meedoet.
thread-reply-button = Antwoord versturen
thread-closed = Op dit gesprek kan niet meer worden geantwoord.

## Bestanden bij een bericht
files-label = Bestanden toevoegen (niet verplicht)
# $count: de grens in megabytes (kilobytes in files-hint-kb).
files-hint = Samen hoogstens { $count } MB. Alleen de mensen in deze mentorrelatie kunnen ze openen.
files-hint-kb = Samen hoogstens { $count } kB. Alleen de mensen in deze mentorrelatie kunnen ze openen.

## Nieuw gesprek
compose-title = Nieuw gesprek
compose-subject = Onderwerp
compose-subject-hint = Een paar woorden die zeggen waar het over gaat, zodat jullie het later terugvinden.
compose-body = Bericht
compose-button = Versturen

## Het script van de pagina
live-reconnecting = Verbinding verbroken. Opnieuw verbinden…
live-back = Weer verbonden.
send-sending = Bezig met versturen…
send-failed = Niet verstuurd. Controleer je verbinding en probeer het opnieuw; je tekst blijft bewaard.
hint-dismiss = Verbergen
hint-label = Een suggestie

## De navigatie van de coördinator binnen een programma
coord-nav-label = Programma
coord-nav-programme = Programma: { $name }
coord-nav-dashboard = Overzicht
coord-nav-people = Deelnemers
coord-nav-import = Uitnodigen met een lijst
coord-nav-pair = Koppelen
coord-nav-settings = Programma-instellingen
