# Bewaartermijn: de waarschuwing voordat de inhoud van een afgesloten mentorschap verdwijnt.
retention-mail-subject = De berichten van je mentorschap worden op { $date } verwijderd
retention-mail-nobody = niemand anders
retention-mail-body = Beste { $name },

    Je mentorschap met { $names } is op { $closed } afgesloten. Je programma bewaart wat deelnemers schreven een vaste tijd na het einde van een mentorschap. Op { $date } worden de berichten, gespreksnotities en formulieren van dit mentorschap definitief verwijderd.

    Wil je een kopie houden? Download je gegevens voor die datum:
    { $url }

    De data van jullie contact blijven bewaard, zonder de woorden.
retention-settings = Bewaren wat deelnemers schreven na afsluiting
retention-settings-hint = Aantal maanden na de afsluiting van een mentorschap waarna berichten, notities en formulieren worden verwijderd (6 tot 120). Deelnemers krijgen 30 dagen vooraf een waarschuwing.
retention-error-months = Kies een aantal maanden van 6 tot 120.
