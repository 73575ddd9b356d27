# De pagina's van de coördinator en van de beheerder: alleen cijfers, nooit inhoud.

nav-coordinate = Coördineren
nav-admin = Beheer
coord-inbox-go = Naar de programma's die u coördineert

coord-programmes-title = Uw programma's
coord-programmes-intro = De programma's die u coördineert. U ziet hoe vaak mensen contact hebben, nooit wat ze schrijven.
coord-programmes-none-title = U coördineert geen programma
coord-programmes-none-text = Een beheerder kan u coördinator van een programma maken.
coord-programme-counts = { $active } actief, { $proposed } voorgesteld, { $closed } afgesloten

coord-dashboard-title = Overzicht van { $name }
coord-figures-only = Dit zijn alleen cijfers over contact. Niemand ziet hier wat deelnemers schrijven.
coord-totals = Totalen
coord-total-active = Actieve mentorrelaties
coord-total-on-track = Op schema
coord-total-median-days = Mediane tijd sinds laatste contact
coord-total-not-started = Niet begonnen

coord-table-title = Mentorrelaties
coord-filter-status = Status
coord-filter-all = Alle statussen
coord-sort = Volgorde
coord-sort-days-since-contact = Langste stilte eerst
coord-sort-overdue = Meeste achterstallige antwoorden eerst
coord-sort-start-date = Oudste start eerst
coord-search = Naam van een deelnemer
coord-filter-button = Toon
coord-filter-clear = Toon alle mentorrelaties
coord-shown = { $count } van { $total } getoond
coord-table-none = Dit programma heeft nog geen lopende mentorrelaties.
coord-table-none-match = Geen mentorrelatie past hierbij. Probeer een andere status of naam.
coord-col-members = Mentor – mentee
coord-col-status = Status
coord-col-days = Sinds laatste contact
coord-col-weeks = Contacten, laatste 12 weken
coord-col-windows = Contactperiodes gehaald
coord-col-reply = Mediane antwoordtijd
coord-col-overdue = Achterstallige antwoorden
coord-col-balance = Berichten, laatste 90 dagen
coord-col-week = Week
coord-col-contacts = Contacten
coord-col-total = Totaal
coord-no-mentor = (geen mentor)
coord-no-mentee = (geen mentee)
coord-status-not-started = Niet begonnen
coord-status-on-track = Op schema
coord-status-slowing = Vertraagt
coord-status-dormant = Stilgevallen
coord-status-closed = Afgesloten
coord-days = { $count ->
    [one] 1 dag
   *[other] { $count } dagen
}
coord-no-contact-yet = Nog geen contact
coord-none-yet = –
coord-less-than-an-hour = minder dan een uur
coord-hours = { $count ->
    [one] 1 uur
   *[other] { $count } uur
}
coord-windows-value = { $met } van { $elapsed }
coord-balance-value = mentoren { $mentors }, mentees { $mentees }
coord-reply-mentors = Mentoren: { $time }
coord-reply-mentees = Mentees: { $time }
coord-spark-title = Contacten per week
coord-spark-desc = { $count } contacten in de laatste 12 weken, per week, oudste eerst: { $text }.
coord-pages = Pagina's
coord-page-of = Pagina { $page } van { $pages }
coord-prev = Vorige pagina
coord-next = Volgende pagina
coord-csv = Download als CSV (spreadsheet)
coord-week = Week { $count }
coord-week-short = wk { $count }
coord-chart-table = De cijfers als tabel
coord-contacts-chart-title = Contacten per week in het programma
coord-contacts-chart-desc = Staafdiagram over { $weeks } weken: { $count } contacten in totaal, hoogstens { $max } in één week. De tabel geeft elke week.
coord-shares-chart-title = Mentorrelaties per status, week na week
coord-shares-chart-desc = Elke kolom is een van de laatste { $weeks } weken, verdeeld naar de status van de mentorrelaties aan het eind van die week. Deze week: { $ontrack } op schema, { $slowing } vertraagd, { $dormant } stilgevallen, { $notstarted } niet begonnen. De tabel geeft elke week.
coord-shares-intro = De status die elke lopende mentorrelatie aan het eind van elke week had, volgens dezelfde regels als vandaag.

coord-mentorship-title = Mentorrelatie { $name }
coord-back-to = Terug naar { $name }
coord-people = Deelnemers
coord-role-mentor = mentor
coord-role-mentee = mentee
coord-left-on = (vertrokken op { $date })
coord-bouncing-since = mail komt terug sinds { $date }
coord-started = Begonnen op { $date }.
coord-ended-because = Reden: { $reason }.
coord-lifecycle-proposed = Voorgesteld, nog niet actief.
coord-lifecycle-active = Actief.
coord-lifecycle-closed = Afgesloten.
coord-rhythm = Afgesproken ritme
coord-rhythm-contact = Contact
coord-rhythm-response = Antwoorden
coord-rhythm-meetings = Ontmoetingen
coord-every-days = { $count ->
    [one] elke dag
   *[other] elke { $count } dagen
}
coord-within-hours = { $count ->
    [one] binnen 1 uur
   *[other] binnen { $count } uur
}
coord-not-agreed = Nog niet afgesproken
coord-health = Contactcijfers
coord-figure-reflections = Ingevulde reflectieformulieren
coord-figure-meetings = Vastgelegde ontmoetingen
coord-figure-reply-mentors = Mediane antwoordtijd van de mentoren
coord-figure-reply-mentees = Mediane antwoordtijd van de mentees
coord-timeline-title = Contacten per week
coord-checkins = Check-ins
coord-checkins-none = Er is nog geen check-in verstuurd.
coord-checkin-asked = Verstuurd { $time }
coord-checkin-going-well = gaat goed
coord-checkin-need-help = heeft hulp nodig
coord-checkin-want-to-end = wil stoppen
coord-checkin-no-answer = nog geen antwoord
coord-checkin-hint = De deelnemers krijgen een korte vraag per mail en in de app. U ziet alleen het antwoord dat ze kiezen.
coord-checkin-button = Stuur een check-in
coord-actions = Deze mentorrelatie wijzigen
coord-activate-hint = De mentorrelatie is voorgesteld. Activeer haar als beide kanten klaar zijn.
coord-activate-button = Activeren
coord-close-reason = De mentorrelatie afsluiten
coord-close-hint = De deelnemers kunnen blijven lezen wat ze schreven. Kies waarom ze eindigt.
coord-close-choose = Kies een reden
coord-close-button = Afsluiten
coord-reason-completed = Afgerond
coord-reason-no-match = Geen goede match
coord-reason-moved-away = Iemand is verhuisd
coord-reason-no-time = Geen tijd
coord-reason-other = Een andere reden
coord-repair-title = Opnieuw koppelen
coord-repair-hint = Deze mentorrelatie wordt afgesloten en er begint een nieuwe met de mensen die u kiest, met hetzelfde ritme. Minstens één mentor en één mentee.
coord-repair-not-in = Niet in de nieuwe mentorrelatie
coord-repair-button = Opnieuw koppelen
coord-done-checkin = De check-in is verstuurd.
coord-done-activated = De mentorrelatie is actief.
coord-done-closed = De mentorrelatie is afgesloten.
coord-done-repaired = Dit is de nieuwe mentorrelatie. De oude is afgesloten.
coord-error-reason = Kies waarom de mentorrelatie eindigt
coord-error-closed = Deze mentorrelatie is afgesloten
coord-error-conflict = Dit kan niet in de huidige toestand van de mentorrelatie
coord-error-forbidden = Dit kunt u als coördinator niet doen. Vraag het een beheerder.
coord-error-members = Kies minstens één mentor en één mentee

coord-settings-title = Instellingen van { $name }
coord-summary-title = Uw wekelijkse overzicht
coord-summary-intro = Eens per week een mail met de mentorrelaties die aandacht nodig hebben. Alleen voor u.
coord-summary-enabled = Stuur mij het wekelijkse overzicht
coord-summary-on = Ja
coord-summary-off = Nee
coord-summary-weekday = Dag
coord-summary-hour = Tijd
coord-summary-hour-hint = In uw eigen tijdzone.
coord-summary-all-clear = Ook als alles op schema is
coord-summary-button = Bewaar de instellingen van het overzicht
coord-done-summary = Uw instellingen voor het overzicht zijn bewaard.
coord-defaults-title = Standaardwaarden van het programma
coord-defaults-intro = Nieuwe mentorrelaties beginnen met dit ritme; de deelnemers mogen het aanpassen. De tijdzone en het aantal dagen tot "niet begonnen" gelden meteen voor de cijfers.
coord-defaults-timezone = Tijdzone van het programma
coord-defaults-contact = Contact minstens elke
coord-defaults-contact-hint = Dagen, van 1 tot 365.
coord-defaults-response = Antwoorden binnen
coord-defaults-response-hint = Uren, van 1 tot 2160.
coord-defaults-not-started = Niet begonnen na
coord-defaults-not-started-hint = Dagen na de start zonder gehaalde contactperiode, van 1 tot 365.
coord-defaults-button = Bewaar de standaardwaarden
coord-done-defaults = De standaardwaarden van het programma zijn bewaard.
coord-unit-days = dagen
coord-unit-hours = uur
coord-error-enabled = Kies of u het wekelijkse overzicht wilt
coord-error-weekday = Kies een dag van de week
coord-error-hour = Kies een tijd
coord-error-timezone = Kies een tijdzone uit de lijst
coord-error-contact-every-days = Vul een aantal dagen in van 1 tot 365
coord-error-response-within-hours = Vul een aantal uren in van 1 tot 2160
coord-error-not-started-days = Vul een aantal dagen in van 1 tot 365

admin-title = Beheer
admin-programmes = Programma's
admin-programmes-none = Er is nog geen programma.
admin-coordinators = Coördinatoren
admin-coordinators-none = Nog geen coördinator.
admin-remove = { $name } verwijderen
admin-add-coordinator = Een coördinator toevoegen
admin-add-coordinator-hint = Het e-mailadres van iemand met een account.
admin-add-button = Toevoegen
admin-new-programme = Nieuw programma
admin-programme-name = Naam van het programma
admin-create-button = Maak het programma
admin-outgoing = Uitgaande mail die mislukte
admin-outgoing-none = Er is geen uitgaande mail mislukt.
admin-incoming = Binnenkomende mail die niet te lezen was
admin-incoming-none = Er is geen binnenkomende mail mislukt.
admin-metadata-only = Alleen wanneer, het adres en de reden; nooit een onderwerp of tekst.
admin-col-when = Wanneer
admin-col-to = Aan
admin-col-from = Van
admin-col-kind = Soort
admin-col-reason = Reden
admin-col-action = Actie
admin-attempts = { $count ->
    [one] 1 poging
   *[other] { $count } pogingen
}
admin-retry = Opnieuw proberen voor { $address }
admin-unknown = onbekend
admin-done-programme = Het programma is gemaakt.
admin-done-coordinator = De coördinator is toegevoegd.
admin-done-removed = De coördinator is verwijderd.
admin-done-retried = De mail staat weer in de wachtrij.
admin-error-name = Vul een naam in van 1 tot 100 tekens
admin-error-email = Vul het adres van een bestaand account in
