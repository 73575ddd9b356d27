# De overeenkomst als contract (F3, G3, G6, G11), Nederlands: de velden van het
# formulier op de pagina van de mentorrelatie, het bevestigen, het netiquette- en
# veiligheidshandvest, de eerdere versies, en de ene regel voor de coördinator. Elke
# sleutel hier staat ook in en/contract.ftl.

## De velden van het formulier (de omgangsafspraken en het ritme staan in mentorship.ftl)
contract-goals = Doelen
contract-goals-hint = De eigen doelen van de mentee, in de woorden van de mentee: specifiek, meetbaar, haalbaar, relevant en met een datum (SMART). De mentor denkt mee, maar schrijft ze niet.
contract-action-plan = Actieplan en mijlpalen
contract-action-plan-hint = De stappen naar de doelen, elk met een datum, bijvoorbeeld „15 maart: een eerste versie van mijn cv”.
contract-end-date = Einddatum (voorlopig)
contract-end-date-hint = Hoe lang jullie in eerste instantie samenwerken. Jullie kunnen later afspreken door te gaan.
contract-topics-excluded = Onderwerpen die jullie buiten laten
contract-topics-excluded-hint = Waar jullie het in deze mentorrelatie niet over hebben, zodat niemand steeds nee hoeft te zeggen.
contract-schedule = Wanneer, hoe en hoe vaak jullie afspreken
contract-mentor-time = De tijd van de mentor
contract-mentor-time-hint = Hoeveel tijd de mentor kan geven, bijvoorbeeld „twee uur per maand, niet in augustus”.
contract-ending-early = Eerder stoppen
contract-ending-early-hint = Wat jullie doen als het niet werkt, bijvoorbeeld „het eerlijk zeggen, of de coördinator vragen”.
contract-ground-rules = Spelregels
contract-nothing-yet = Nog niets afgesproken
contract-version = Versie { $version }

## Waar de leden staan
contract-state-all = Door iedereen bevestigd op { $date }.
contract-state-you-waiting = Je hebt deze versie bevestigd. Nog wachten op { $names }.
contract-state-changed = De overeenkomst is veranderd sinds je haar bevestigde. Lees haar opnieuw en bevestig deze versie.
contract-state-not-yet = Nog niet bevestigd door { $names }.
contract-versions-link = Eerdere versies van de overeenkomst

## Bevestigen
contract-confirm-title = De overeenkomst bevestigen
contract-confirm-intro = Lees de overeenkomst hierboven en het handvest hieronder. Als jullie allemaal hebben bevestigd, ziet je coördinator dát ze bevestigd is en wanneer — nooit wat erin staat. Je kunt ook bevestigen door „akkoord” te antwoorden op de mail met de overeenkomst.
contract-charter-accept = Ik aanvaard het netiquette- en veiligheidshandvest
contract-charter-accept-hint = Met het bevestigen van deze versie van de overeenkomst aanvaard je ook het handvest.
contract-confirm-button = Versie { $version } bevestigen
contract-done-confirmed = Dank je: je hebt de overeenkomst bevestigd.

## Het netiquette- en veiligheidshandvest (G3); de versie is CHARTER_VERSION in het model
charter-title = Netiquette- en veiligheidshandvest (versie { $version })
charter-intro = Jullie spreken allebei af:
charter-respect = Met respect schrijven, zoals je ook in het echt zou praten; lees een bericht nog eens voor je het verstuurt.
charter-confidential = Wat de ander vertelt, blijft tussen jullie, tenzij de ander vraagt het door te geven.
charter-consent = Berichten, bestanden of foto's van de ander nooit doorsturen, kopiëren of publiceren zonder het te vragen.
charter-safe = Geen wachtwoorden, bankgegevens of andere gegevens delen die iemand kan misbruiken, en voorzichtig zijn met links en bijlagen.
charter-honest = Eerlijk zijn over wat je wel en niet kunt, en het zeggen als je later antwoordt dan afgesproken.
charter-boundaries = De onderwerpen die jullie buiten laten en elkaars tijd respecteren, en stoppen als de ander daarom vraagt.
charter-help = Voelt iets onveilig, schadelijk of ongepast: stop, en vertel het je coördinator of iemand anders die je vertrouwt.

## Eerdere versies
contract-versions-title = Eerdere versies van jullie overeenkomst
contract-versions-intro = Elke wijziging van de overeenkomst wordt bewaard, zodat jullie kunnen zien wat jullie wanneer afspraken.
contract-version-changed = Gewijzigd op { $time } door { $name }.
contract-version-first = Zoals de mentorrelatie begon op { $time }.
contract-version-confirmed-by = Bevestigd door { $names }.
contract-version-not-confirmed = Niemand heeft deze versie bevestigd.
contract-version-hidden = Wat in deze versie stond, is geschreven voordat je erbij kwam.
contract-back = Terug naar de mentorrelatie

## De pagina van de coördinator: of, nooit wat
contract-coord-label = Overeenkomst
contract-coord-confirmed = Bevestigd op { $date }
contract-coord-not-confirmed = Nog niet bevestigd

## Problemen met het formulier
ms-error-action-plan-too-long = Het actieplan heeft hoogstens 10.000 tekens
ms-error-action-plan-control-characters = Het actieplan bevat tekens die niet bewaard kunnen worden
ms-error-topics-excluded-too-long = De onderwerpen die jullie buiten laten hebben hoogstens 5.000 tekens
ms-error-topics-excluded-control-characters = De onderwerpen die jullie buiten laten bevatten tekens die niet bewaard kunnen worden
ms-error-mentor-time-too-long = Beschrijf de tijd van de mentor in hoogstens 500 tekens
ms-error-mentor-time-control-characters = De tijd van de mentor bevat tekens die niet bewaard kunnen worden
ms-error-ending-early-too-long = Eerder stoppen heeft hoogstens 5.000 tekens
ms-error-ending-early-control-characters = Eerder stoppen bevat tekens die niet bewaard kunnen worden
ms-error-end-date-invalid = Vul de einddatum in als 2027-06-30, of laat het veld leeg
ms-error-end-date-end-before-start = De einddatum ligt vóór het begin van de mentorrelatie
ms-error-end-date-too-far = De einddatum ligt hoogstens vijf jaar na het begin
ms-error-charter-required = Vink het vakje aan om het netiquette- en veiligheidshandvest te aanvaarden
ms-error-charter-agreement-changed = De overeenkomst is veranderd terwijl je haar las. Lees deze versie en bevestig opnieuw.
