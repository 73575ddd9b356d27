# Periodieke evaluaties (richtlijn F8). De vragen (review-<veld>) zijn dezelfde in het
# formulier op de website en in de mail.

review-meetings = Vinden jullie ontmoetingen plaats zoals gepland?
review-time = Is er genoeg tijd voor de mentoring?
review-topics = Komen de onderwerpen aan bod waarover je wilde praten?
review-growth = Hoe zie je de groei naar de doelen?
review-satisfaction = Hoe tevreden ben je over het mentorschap?
review-continue = Wil je doorgaan?
review-comments = Wat je verder nog kwijt wilt
review-satisfaction-hint = Van 1 (helemaal niet tevreden) tot 5 (heel tevreden).
review-continue-hint = Je coördinator ziet deze keuze en je cijfer, nooit wat je schrijft.
review-score-1 = 1 – helemaal niet tevreden
review-score-2 = 2 – niet zo tevreden
review-score-3 = 3 – redelijk tevreden
review-score-4 = 4 – tevreden
review-score-5 = 5 – heel tevreden
review-choice-continue = Ja, doorgaan zoals nu
review-choice-stop = Nee, ik wil graag stoppen
review-choice-change = Doorgaan, maar er moet iets veranderen
review-title = Jouw evaluaties
review-title-round = { $count ->
    [one] Jouw evaluatie na { $count } maand
   *[other] Jouw evaluatie na { $count } maanden
}
review-intro = Een korte terugblik op hoe het mentorschap gaat. Beantwoord de vragen die je wilt; je kunt je antwoorden later nog aanpassen.
review-next = Er staat nu geen evaluatie klaar. De volgende komt op { $date }.
review-closed = Je kunt in dit mentorschap geen evaluaties meer invullen.
review-privacy = Je antwoorden zijn alleen voor jou: de andere deelnemers lezen ze niet. Je coördinator ziet alleen je cijfer en of je wilt doorgaan, stoppen of iets wilt veranderen.
review-done = Je evaluatie is bewaard. Dank je wel!
review-button = Evaluatie bewaren
review-yours = Jouw evaluaties
review-saved-on = bewaard { $time }
review-back = Terug naar het mentorschap
review-prompt = { $count ->
    [one] Je evaluatie na { $count } maand staat klaar.
   *[other] Je evaluatie na { $count } maanden staat klaar.
}
review-prompt-link = Vul hem in wanneer het je uitkomt
ms-error-meetings-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-meetings-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-time-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-time-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-topics-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-topics-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-growth-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-growth-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-comments-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-comments-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-satisfaction-out-of-range = Kies een cijfer van 1 tot 5
ms-error-continue-invalid = Kies doorgaan, stoppen of veranderen
ms-error-round-not-due = Deze evaluatie staat nog niet klaar

# De kant van de coördinator: de instelling van het programma en de cijfers.
coord-defaults-review = Periodieke evaluatie
coord-defaults-review-hint = Beide deelnemers krijgen de vraag hoe het mentorschap gaat, gerekend vanaf de start.
coord-review-every = { $count ->
    [one] Elke maand
   *[other] Elke { $count } maanden
}
coord-error-review-every-months = Kies elke 4, 5 of 6 maanden
coord-figure-review-satisfaction = Tevredenheid in de laatste evaluaties (1–5)
coord-figure-review-choices = Doorgaan, stoppen, veranderen
coord-review-scores = { $text } (gemiddeld { $average })
coord-review-choices-value = doorgaan { $continue }, stoppen { $stop }, veranderen { $change }
coord-review-none = Nog geen evaluatie ingevuld
coord-review-no-score = geen cijfer gegeven
coord-col-review = Laatste evaluaties
coord-asks-change = vraagt om een verandering
