# Afsluiten (richtlijn F10): de afsluitstap, het afsluitformulier en de follow-up.

# De vragen, ook gebruikt door de formulieren per mail (`closing-{field}`, `follow_up-{field}`).
closing-key_moments = Belangrijke momenten van de mentorrelatie
closing-key_moments-hint = Wat je bijbleef: een gesprek, een stap, een keerpunt. De anderen in je mentorrelatie lezen dit.
closing-thanks = Een woord van dank voor je mentor
closing-thanks-hint = Een kort briefje dat je mentor houdt. Alleen je mentor leest het.
closing-achieved = Wat heb je bereikt?
closing-achieved-hint = Alleen voor jou.
closing-not_achieved = Wat heb je niet bereikt, en waarom?
closing-not_achieved-hint = Alleen voor jou.
closing-future_needs = Wat heb je vanaf nu nodig?
closing-future_needs-hint = Alleen voor jou.
follow_up-how_it_goes = Hoe gaat het nu?
follow_up-how_it_goes-hint = Alleen voor jou, zoals elk antwoord hier.
follow_up-still_helps = Wat uit de mentorrelatie helpt je nog steeds?
follow_up-still_helps-hint = Een gewoonte, een inzicht, een contact.
follow_up-needs_now = Wat heb je nu nodig?
follow_up-needs_now-hint = Alles waarbij je hulp zou willen.

# Het deel op de pagina van de mentorrelatie.
closure-section-title = De mentorrelatie afsluiten
closure-state-not-started = Als het einde van je mentorrelatie nadert, nodigt een afsluitstap jullie allebei uit om terug te kijken, te bedanken en te evalueren. Je kunt hem ook zelf op elk moment starten.
closure-state-not-started-read = De afsluitstap is niet gestart.
closure-state-started = De afsluitstap is gestart. { $count } van de { $total } afsluitformulieren zijn binnen; de mentorrelatie sluit als iedereen het zijne heeft ingevuld.
closure-state-closed = De mentorrelatie is afgesloten. Wat jullie bij het afsluiten deelden, blijft te lezen.
closure-link-start = Start de afsluitstap
closure-link-form = Vul je afsluitformulier in
closure-link-read = Lees de afsluitstap
closure-closed-on = Deze mentorrelatie is afgesloten op { $date }.
closure-closed-readable = Alles blijft hier voor je te lezen: de berichten, de afspraken en de sessies.
closure-done-closed = De mentorrelatie is afgesloten. Dank jullie wel.
closure-follow-up-prompt = Er is wat tijd verstreken sinds je mentorrelatie is afgesloten.
closure-follow-up-link = Vertel hoe het nu gaat

# De afsluitpagina.
closure-title = Afsluiten van de mentorrelatie
closure-back = Terug naar de mentorrelatie
closure-intro = Een formeel einde: deel belangrijke momenten, bedank je mentor en kijk terug op wat je wilde bereiken. Elke vraag is vrijwillig. Je coördinator ziet alleen of de stap gestart is, hoeveel formulieren binnen zijn en wanneer de relatie sloot.
closure-figures = De afsluitstap
closure-figure-started = Afsluitstap gestart
closure-figure-started-by-end-date = { $date } (de einddatum kwam in zicht)
closure-figure-not-started = Nog niet
closure-figure-forms = Afsluitformulieren binnen
closure-figure-forms-value = { $count } van { $total }
closure-figure-closed = Afgesloten op
closure-figure-not-closed = Nog niet
closure-start-title = De afsluitstap starten?
closure-start-explained = Iedereen in de mentorrelatie wordt uitgenodigd een afsluitformulier in te vullen. Er sluit niets tot alle formulieren binnen zijn of een van jullie de relatie afsluit. Jullie kunnen elkaar intussen gewoon blijven schrijven.
closure-start-button = Start de afsluitstap
closure-start-not-now = Nu niet, terug naar de mentorrelatie
closure-done-started = De afsluitstap is gestart.
closure-done-form = Je afsluitformulier is bewaard. Je kunt het wijzigen tot de mentorrelatie sluit.
closure-shared-title = Wat de anderen deelden
closure-shared-mentee = Gedeeld door { $name }
closure-shared-mentor = Gedeeld door { $name }, mentor
closure-thanks-for-you = Hun dank, voor jou om te houden
closure-form-title = Jouw afsluitformulier
closure-form-intro-mentee = Beantwoord de vragen die je wilt. Je belangrijke momenten lezen de anderen in de mentorrelatie, je dank leest je mentor; de rest is alleen voor jou.
closure-form-intro-mentor = Beantwoord de vragen die je wilt. Je belangrijke momenten lezen de anderen in de mentorrelatie; de rest is alleen voor jou.
closure-form-button = Bewaar mijn afsluitformulier
closure-now-title = Nu afsluiten
closure-now-explained = Je hoeft niet op elk formulier te wachten: zodra de afsluitstap gestart is, kan ieder van jullie de mentorrelatie afsluiten.
closure-now-summary = De mentorrelatie nu afsluiten
closure-now-confirm = Na het afsluiten schrijft niemand hier nog iets nieuws. Alles blijft voor je te lezen.
closure-now-button = Ja, sluit de mentorrelatie af
closure-mine-title = Jouw afsluitformulier
closure-mine-private = Wat je bereikte, niet bereikte en nu nodig hebt, is alleen voor jou.

# De follow-uppagina.
closure-follow-up-title = Follow-up
closure-follow-up-intro = Enkele maanden na het afsluiten: hoe gaat het nu? Je antwoorden zijn alleen voor jou; je coördinator leest ze niet.
closure-follow-up-button = Bewaar mijn follow-up
closure-follow-up-done = Dank je wel. Je follow-up is bewaard.
closure-follow-up-later = De follow-up gaat open op { $date }.
closure-follow-up-none = Er is hier geen follow-up voor jou.

# De pagina's van de coördinator (alleen cijfers).
closure-coord-title = Afsluitstap
closure-coord-intro = Of de afsluitstap gestart is, hoeveel afsluitformulieren binnen zijn en wanneer de relatie sloot. Nooit wat erin staat.
closure-dashboard-line = Afsluiten: { $count } van { $total }
closure-settings-follow-up = Follow-up na het afsluiten
closure-settings-follow-up-hint = Maanden nadat een mentorrelatie is afgesloten voordat de deelnemers gevraagd wordt hoe het gaat (1 tot 24).
closure-unit-months = maanden
closure-error-follow-up-months = Vul een aantal maanden in van 1 tot 24

# Problemen met de formulieren.
ms-error-key-moments-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-key-moments-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-thanks-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-thanks-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-thanks-not-asked = Het bedankbriefje schrijft een mentee, voor de mentor
ms-error-achieved-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-achieved-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-not-achieved-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-not-achieved-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-future-needs-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-future-needs-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-how-it-goes-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-how-it-goes-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-still-helps-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-still-helps-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
ms-error-needs-now-too-long = Dit antwoord heeft hoogstens 2.000 tekens
ms-error-needs-now-control-characters = Dit antwoord bevat tekens die niet bewaard kunnen worden
