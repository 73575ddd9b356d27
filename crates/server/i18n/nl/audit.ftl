# Het auditlogboek (beheerders): wie welke persoonsgegevens te zien kreeg.
audit-title = Auditlogboek
audit-link = Auditlogboek: wie persoonsgegevens bekeek
audit-back = Terug naar beheer
audit-intro = Elke keer dat een beheerder of coördinator persoonsgegevens te zien krijgt — lijsten met mensen, gezondheidspagina's en exports, mislukte mail — wordt dat hier vastgelegd: wie, wat, wanneer en vanaf waar. Niets hiervan kan worden gewijzigd of verwijderd.
audit-entries = Inzages, nieuwste eerst
audit-filter-actor = Wie keek
audit-filter-person = Over wie
audit-filter-hint = Een e-mailadres of een account-id.
audit-filter-action = Wat
audit-filter-any = Alles
audit-filter-button = Tonen
audit-filter-clear = Alles tonen
audit-unknown-person = Geen account heeft dat adres of die id.
audit-shown = { $count ->
    [0] Geen inzages vastgelegd.
    [one] Eén inzage getoond.
   *[other] { $count } inzages getoond.
}
audit-col-when = Wanneer
audit-col-actor = Wie
audit-col-action = Wat
audit-col-concerning = Over
audit-col-from = Vanaf
audit-request = verzoek { $id }
audit-older = Oudere inzages
audit-mentorship = mentorschap { $id }
audit-concerning-many = meerdere mensen
audit-action-people-list = Lijst met mensen
audit-action-person-read = Account van één persoon
audit-action-health-page = Gezondheidspagina
audit-action-health-csv = Gezondheidsexport (CSV)
audit-action-mentorship-page = Pagina van een mentorschap
audit-action-mentorship-list = Mentorschappen van een programma
audit-action-bouncing-list = Adressen die onbestelbaar zijn
audit-action-failed-mail = Mislukte mail
audit-action-failed-inbound = Binnenkomende mail die mislukte
audit-action-person-export = Export van iemands gegevens
audit-action-person-erasure = Wissen van iemands gegevens
audit-action-concern-read = Een gemelde zorg
audit-action-concern-shared = Een zorg gedeeld door een deelnemer
audit-action-audit-read = Het auditlogboek
