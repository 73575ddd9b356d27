//! The fixture corpus: every `.eml` under `tests/fixtures` with its expected outcome.
//! Each fixture is listed once, and every fixture in the folder must be listed.

use mentorpost_inbound::{Automatic, ReportKind, parse};
use std::collections::BTreeMap;
use std::path::Path;

enum Expect {
    /// Posted: the exact text kept, and a piece `trimmed` must contain (`None`: nothing
    /// was trimmed).
    Posted { kept: &'static str, trimmed: Option<&'static str> },
    /// Automatic, with this reason.
    Auto(&'static str),
    /// A delivery report: (address, status, permanent) per recipient.
    Report { rows: &'static [(&'static str, &'static str, bool)], standard: bool },
    /// An ARF feedback report about this recipient, of this type; `complaint`: it
    /// counts as an abuse complaint.
    Feedback { recipient: &'static str, feedback: &'static str, complaint: bool },
    /// Refused, the error's text containing this.
    Error(&'static str),
    /// Parsed as best effort, the text containing this.
    BestEffort(&'static str),
}
use Expect::*;

struct Case {
    file: &'static str,
    expect: Expect,
    verified: bool,
}

const CASES: &[Case] = &[
    Case {
        file: "gmail_reply_en.eml",
        expect: Posted { kept: "Thanks Jan, Tuesday at 16:00 works for me.\n\nSarah", trimmed: Some("Hi Sarah,") },
        verified: true,
    },
    Case {
        file: "gmail_reply_nl.eml",
        expect: Posted {
            kept: "Hoi Małgorzata,\n\nDinsdag om vier uur is prima. Ik neem mijn cv mee.\n\nGroet,\nJan",
            trimmed: Some("Dag Jan,"),
        },
        verified: true,
    },
    Case {
        file: "gmail_reply_de.eml",
        expect: Posted {
            kept: "Hallo Jan,\n\ndanke für die Rückmeldung, ich schicke dir morgen die überarbeitete Fassung.\n\nViele Grüße\nAnna",
            trimmed: Some("Hallo Anna,"),
        },
        verified: false,
    },
    Case {
        file: "gmail_reply_es.eml",
        expect: Posted { kept: "¡Perfecto! Nos vemos el jueves.", trimmed: Some("¿Te va bien el jueves?") },
        verified: false,
    },
    Case {
        file: "gmail_signature.eml",
        expect: Posted { kept: "I have updated the summary section as you suggested.", trimmed: Some("Could you shorten the summary?") },
        verified: false,
    },
    Case {
        file: "gmail_html_only_nl.eml",
        expect: Posted {
            kept: "Hoi João,\n\nIk heb twee vacatures gevonden:\n\n- Data-analist bij Gemeente Utrecht (https://example.nl/vacature/1)\n- Onderzoeker & docent\n\nSucces!",
            trimmed: Some("Heb je tips voor een stage?"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_en.eml",
        expect: Posted {
            kept: "Hi Jan,\n\nThanks, the mock interview questions are really useful.\nI will practise the STAR answers this week.\n\nBest regards,\nSarah",
            trimmed: Some("Hi Sarah, here are some questions to practise."),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_nl.eml",
        expect: Posted {
            kept: "Beste Ľubomír,\n\nGoed idee om LinkedIn bij te werken. Ik stuur je een paar contacten door.\n\nMet vriendelijke groet,\nJan de Vries",
            trimmed: Some("Hoe begin ik met netwerken in Nederland?"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_de.eml",
        expect: Posted {
            kept: "Hallo Jan,\n\ndas Gespräch ist am Donnerstag. Ich melde mich danach.\n\nGrüße\nAnna",
            trimmed: Some("Wann ist das Gespräch?"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_fr.eml",
        expect: Posted {
            kept: "Bonjour Jan,\n\nMerci pour vos remarques, j’ai réécrit l’introduction.\n\nCordialement,\nClaire",
            trimmed: Some("L’introduction est un peu longue."),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_pl.eml",
        expect: Posted {
            kept: "Dzień dobry,\n\ndziękuję za wskazówki. Rozmowa poszła świetnie!\n\nPozdrawiam serdecznie\nMałgorzata Wiśniewska",
            trimmed: Some("Powodzenia jutro!"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_pt.eml",
        expect: Posted {
            kept: "Olá Jan,\n\nObrigado pela ajuda com a candidatura. Já enviei os documentos.\n\nCumprimentos,\nJoão",
            trimmed: Some("Já enviaste a candidatura?"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_tr.eml",
        expect: Posted {
            kept: "Merhaba Jan,\n\nÖnerileriniz için teşekkür ederim. Gelecek hafta görüşelim mi?\n\nSaygılarımla,\nÇağrı Öztürk",
            trimmed: Some("Beş yıllık planın nedir?"),
        },
        verified: false,
    },
    Case {
        file: "outlook_reply_sk.eml",
        expect: Posted {
            kept: "Dobrý deň,\n\nďakujem, životopis som upravil podľa vašich poznámok.\n\nS pozdravom\nĽubomír Šťastný",
            trimmed: Some("Skráťte prosím životopis na dve strany."),
        },
        verified: false,
    },
    Case {
        file: "outlook_original_message.eml",
        expect: Posted { kept: "Jan,\n\nI added two projects to the portfolio.\n\nSarah", trimmed: Some("Which projects will you show?") },
        verified: false,
    },
    Case {
        file: "outlook_android_mobile.eml",
        expect: Posted { kept: "Teşekkürler, yarın arayacağım.", trimmed: Some("Mülakat nasıl geçti?") },
        verified: false,
    },
    Case {
        file: "mail_for_windows.eml",
        expect: Posted { kept: "Bom dia Jan,\n\nA bolsa foi aprovada!", trimmed: Some("Já tens resposta?") },
        verified: false,
    },
    Case {
        file: "outlook_html_only_nl.eml",
        expect: Posted {
            kept: "Hoi Çağrı,\n\nJe presentatie is sterk. Twee punten:\n\n1. Begin met de conclusie\n2. Minder tekst per dia\n\nGroet,\nJan",
            trimmed: Some("Wil je naar mijn dia’s kijken?"),
        },
        verified: false,
    },
    Case {
        file: "apple_mail_reply.eml",
        expect: Posted {
            kept: "Hi Jan,\n\nI went to the event and met two recruiters.\n\nSarah",
            trimmed: Some("Let me know how the networking event went."),
        },
        verified: false,
    },
    Case {
        file: "apple_mail_html_cite.eml",
        expect: Posted {
            kept: "Bonjour Jan,\n\nL’entretien s’est très bien passé, merci !\n\nClaire",
            trimmed: Some("Bonne chance pour l’entretien."),
        },
        verified: false,
    },
    Case {
        file: "thunderbird_reply_de.eml",
        expect: Posted {
            kept: "Hallo Jan,\n\nich habe die Zusage für das Praktikum bekommen. Vielen Dank für deine Unterstützung bei der Bewerbung!\n\nAnna",
            trimmed: Some("gibt es schon Neuigkeiten?"),
        },
        verified: false,
    },
    Case {
        file: "thunderbird_html_moz_cite.eml",
        expect: Posted { kept: "Dobrý deň Jan,\n\npohovor bude v piatok o 10:00.\n\nĽubomír", trimmed: Some("Kedy máte pohovor?") },
        verified: false,
    },
    Case {
        file: "thunderbird_signature_dashes.eml",
        expect: Posted { kept: "Olá Jan,\n\na entrevista correu bem.", trimmed: Some("Como correu a entrevista?") },
        verified: false,
    },
    Case {
        file: "iphone_reply_en.eml",
        expect: Posted { kept: "Sounds good, see you then!", trimmed: Some("Tuesday 4pm?") },
        verified: false,
    },
    Case {
        file: "iphone_reply_nl.eml",
        expect: Posted { kept: "Prima, tot dan!", trimmed: Some("Dinsdag om vier uur?") },
        verified: false,
    },
    Case {
        file: "iphone_reply_de.eml",
        expect: Posted { kept: "Passt, bis dann!", trimmed: Some("Dienstag um 16 Uhr?") },
        verified: false,
    },
    Case { file: "iphone_reply_fr.eml", expect: Posted { kept: "Parfait, à mardi !", trimmed: Some("Mardi 16 h ?") }, verified: false },
    Case {
        file: "iphone_reply_pl.eml",
        expect: Posted { kept: "Świetnie, do zobaczenia!", trimmed: Some("Wtorek o 16?") },
        verified: false,
    },
    Case {
        file: "iphone_reply_pt.eml", expect: Posted { kept: "Combinado, até terça!", trimmed: Some("Terça às 16h?") }, verified: false
    },
    Case { file: "iphone_reply_tr.eml", expect: Posted { kept: "Tamam, görüşürüz!", trimmed: Some("Salı 16:00?") }, verified: false },
    Case { file: "iphone_reply_sk.eml", expect: Posted { kept: "Dobre, uvidíme sa!", trimmed: Some("Utorok o 16:00?") }, verified: false },
    Case {
        file: "android_gmail_pl.eml",
        expect: Posted { kept: "Dzięki, poprawię to jutro.", trimmed: Some("Popraw proszę daty w CV.") },
        verified: false,
    },
    Case {
        file: "android_samsung_tr.eml",
        expect: Posted { kept: "Başvurumu gönderdim, teşekkürler.", trimmed: Some("Başvurdun mu?") },
        verified: false,
    },
    Case {
        file: "yahoo_reply.eml",
        expect: Posted {
            kept: "Hi Jan,\n\nThey offered 10% more than I expected, so I accepted.\n\nSarah",
            trimmed: Some("Did they make you an offer?"),
        },
        verified: false,
    },
    Case {
        file: "proton_reply.eml",
        expect: Posted { kept: "Olá Jan,\n\nDecidi fazer o curso de programação.", trimmed: Some("Já decidiste?") },
        verified: true,
    },
    Case {
        file: "interleaved_reply.eml",
        expect: Posted {
            kept: "Op ma 3 mrt 2025 om 09:58 schreef Çağrı Öztürk <cagri.ozturk@example.com.tr>:\n> Hoe lang duurt zo'n gesprek meestal?\n\nMeestal een uur.\n\n> Moet ik een pak dragen?\n\nNiet per se, netjes is genoeg.",
            trimmed: Some("> Çağrı"),
        },
        verified: false,
    },
    Case {
        file: "bottom_posted.eml",
        expect: Posted { kept: "Ja, es ist gestern gekommen. Note 1,7!\n\nAnna", trimmed: Some("Hast du das Zeugnis schon?") },
        verified: false,
    },
    Case {
        file: "whole_mail_quoted.eml",
        expect: Posted { kept: "> Bonjour Claire,\n> as-tu trouvé un stage ?", trimmed: None },
        verified: false,
    },
    Case {
        file: "forward_only.eml",
        expect: Posted {
            kept: "---------- Forwarded message ---------\nFrom: HR Example <hr@example.com>\nDate: Mon, 3 Mar 2025 at 08:00\nSubject: Job offer\nTo: <sarah.miller@example.com>\n\nWe are pleased to offer you the position.",
            trimmed: None,
        },
        verified: false,
    },
    Case {
        file: "new_thread_plain.eml",
        expect: Posted {
            kept: "Dobrý deň,\n\nmám otázku: mám v motivačnom liste spomenúť, že som na materskej?\n\nĽubomír",
            trimmed: None,
        },
        verified: false,
    },
    Case {
        file: "human_absence_subject.eml",
        expect: Posted { kept: "I am away next week, so let us skip Tuesday.", trimmed: None },
        verified: false,
    },
    Case {
        file: "human_wrote_in_text.eml",
        expect: Posted { kept: "My manager wrote: \"Sarah is reliable\".\nIs that enough for the application?", trimmed: None },
        verified: false,
    },
    Case {
        file: "iso8859_1_qp_pt.eml",
        expect: Posted { kept: "Olá Jan,\n\nA reunião de orientação correu muito bem, obrigado pela ajuda.\n\nJoão", trimmed: None },
        verified: false,
    },
    Case {
        file: "iso8859_2_8bit_pl.eml",
        expect: Posted { kept: "Cześć Jan,\n\nzaczynam staż w przyszły poniedziałek. Trzymaj kciuki!\n\nMałgorzata", trimmed: None },
        verified: false,
    },
    Case {
        file: "iso8859_9_base64_tr.eml",
        expect: Posted {
            kept: "Merhaba Jan,\n\nGörüşme çok iyi geçti, şirket beni ikinci tura çağırdı.\n\nÇağrı", trimmed: None
        },
        verified: false,
    },
    Case {
        file: "windows1250_qp_sk.eml",
        expect: Posted { kept: "Ahoj Jan,\n\ndostal som ponuku, ale plat je nižší. Čo mám robiť?\n\nĽubomír", trimmed: None },
        verified: false,
    },
    Case {
        file: "windows1252_8bit_fr.eml",
        expect: Posted {
            kept: "Bonjour Jan,\n\nj’ai contacté trois anciens élèves – deux m’ont répondu.\n\nClaire", trimmed: None
        },
        verified: false,
    },
    Case {
        file: "windows1254_qp_tr.eml",
        expect: Posted { kept: "Sertifika programına kaydoldum. Öğrendiklerimi paylaşacağım.", trimmed: None },
        verified: false,
    },
    Case {
        file: "unknown_charset.eml",
        expect: Posted { kept: "Gewoon tekst met een onbekende tekenset.", trimmed: None },
        verified: false,
    },
    Case {
        file: "attachment_pdf_base64.eml",
        expect: Posted { kept: "Hier is mijn cv, in de bijlage.\n\nJan", trimmed: None },
        verified: false,
    },
    Case { file: "auto_submitted_exchange_en.eml", expect: Auto("Auto-Submitted: auto-generated"), verified: false },
    Case { file: "auto_submitted_replied_nl.eml", expect: Auto("Auto-Submitted: auto-replied"), verified: false },
    Case { file: "x_autoreply_nl.eml", expect: Auto("header X-Autoreply"), verified: false },
    Case { file: "x_autorespond_de.eml", expect: Auto("header X-Autorespond"), verified: false },
    Case { file: "precedence_bulk.eml", expect: Auto("Precedence: bulk"), verified: false },
    Case { file: "precedence_auto_reply.eml", expect: Auto("Precedence: auto_reply"), verified: false },
    Case { file: "precedence_junk.eml", expect: Auto("Precedence: junk"), verified: false },
    Case { file: "list_id_mail.eml", expect: Auto("mailing list (List-Id)"), verified: false },
    Case { file: "ooo_subject_fr.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_pl.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_pt.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_tr.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_sk.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_es.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "ooo_subject_de_out_of_office.eml", expect: Auto("out-of-office subject"), verified: false },
    Case { file: "noreply_sender.eml", expect: Auto("system sender no-reply@jobs.example.com"), verified: false },
    Case { file: "donotreply_sender.eml", expect: Auto("system sender do_not_reply@example.com"), verified: false },
    Case {
        file: "dsn_hard_bounce_postfix.eml",
        expect: Report { rows: &[("pieter.jansen@example.nl", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_soft_delayed.eml",
        expect: Report { rows: &[("ana.silva@example.pt", "4.4.1", false)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_multi_recipient.eml",
        expect: Report {
            rows: &[("zofia.nowak@example.pl", "5.2.2", true), ("mehmet.yilmaz@example.com.tr", "4.2.2", false)],
            standard: true,
        },
        verified: false,
    },
    Case {
        file: "dsn_exchange_ndr.eml",
        expect: Report { rows: &[("k.nowak@example.pl", "5.1.10", true)], standard: true },
        verified: false,
    },
    Case {
        file: "bounce_qmail.eml",
        expect: Report { rows: &[("ayse.kaya@example.com.tr", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exim_plain.eml",
        expect: Report { rows: &[("peter.horvath@example.sk", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_delivery_has_failed.eml",
        expect: Report { rows: &[("lucas.pereira@example.pt", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "dsn_global_delivery_status.eml",
        expect: Report { rows: &[("jürgen.weiß@example.de", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_mangled_outer_type.eml",
        expect: Report { rows: &[("carmen.lopez@example.es", "5.2.2", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_inline_fields_no_mime.eml",
        expect: Report { rows: &[("emre.sahin@example.com.tr", "5.7.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "dsn_sendmail_v8_mime.eml",
        expect: Report { rows: &[("d.okafor@example.org", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_exim_delay.eml",
        expect: Report { rows: &[("marek.wisniewski@example.pl", "4.3.0", false)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_office365_html_nl.eml",
        expect: Report { rows: &[("ruben.dijkstra@example.nl", "5.4.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_gmail_address_not_found.eml",
        expect: Report { rows: &[("sofia.rossi@example.it", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_amazon_ses.eml",
        expect: Report { rows: &[("liam.obrien@example.ie", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_to_reply_address.eml",
        expect: Report { rows: &[("ines.almeida@example.pt", "5.1.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_to_mentorship_address.eml",
        expect: Report { rows: &[("tomas.kovac@example.sk", "5.1.2", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_person_as_sender.eml",
        expect: Report { rows: &[("anouk.bakker@example.nl", "5.2.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_relayed_and_failed.eml",
        expect: Report { rows: &[("maria.huber@example.at", "5.7.1", true)], standard: true },
        verified: false,
    },
    Case {
        file: "dsn_without_status.eml",
        expect: Report { rows: &[("elise.dubois@example.be", "5.0.0", true)], standard: true },
        verified: false,
    },
    Case {
        file: "bounce_qmail_two_recipients.eml",
        expect: Report {
            rows: &[("petra.novakova@example.cz", "5.1.1", true), ("jiri.dvorak@example.cz", "5.4.6", true)],
            standard: false,
        },
        verified: false,
    },
    Case {
        file: "bounce_qmail_over_quota.eml",
        expect: Report { rows: &[("rafael.souza@example.com.br", "5.2.2", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exim_x_failed_recipients.eml",
        expect: Report { rows: &[("george.wright@example.co.uk", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exim_delay_plain.eml",
        expect: Report { rows: &[("zsofia.nagy@example.hu", "4.0.0", false)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_postfix_plain.eml",
        expect: Report { rows: &[("lea.mueller@example.de", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_postfix_delayed_wrapped.eml",
        expect: Report { rows: &[("aino.virtanen@example.fi", "4.2.2", false)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_sendmail_v8_plain.eml",
        expect: Report { rows: &[("kwame.mensah@example.edu", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_sendmail_v8_transient.eml",
        expect: Report { rows: &[("andrei.popescu@example.ro", "4.4.1", false)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_sendmail_v5.eml",
        expect: Report { rows: &[("jose.garcia@example.es", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_dma.eml",
        expect: Report { rows: &[("martina.horvathova@example.sk", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_dma_no_host.eml",
        expect: Report { rows: &[("bartek.zielinski@example.invalid", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exchange_plain_en.eml",
        expect: Report { rows: &[("priya.sharma@corp.example.com", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exchange_de_cp1252.eml",
        expect: Report { rows: &[("joerg.baecker@firma.example.de", "5.3.4", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_exchange_fr_latin1.eml",
        expect: Report { rows: &[("amelie.lefevre@entreprise.example.fr", "5.2.2", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_office365_pl_base64.eml",
        expect: Report { rows: &[("k.wojcik@firma.example.pl", "5.1.10", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_office365_tr_qp.eml",
        expect: Report { rows: &[("burak.celik@sirket.example.com.tr", "5.7.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_outlook_com_pt.eml",
        expect: Report { rows: &[("beatriz.costa@example.com.br", "5.5.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_gmail_plain_failed_permanently.eml",
        expect: Report { rows: &[("alejandro.ruiz@example.es", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_gmail_html_only_nl.eml",
        expect: Report { rows: &[("daan.visser@example.nl", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_gmail_delay.eml",
        expect: Report { rows: &[("hannah.berg@example.se", "4.7.0", false)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_yahoo_plain.eml",
        expect: Report { rows: &[("mia.schneider@yahoo.example", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_yahoo_es.eml",
        expect: Report { rows: &[("lucia.fernandez@example.com.ar", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_amazon_ses_plain.eml",
        expect: Report { rows: &[("chloe.martin@example.ca", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case { file: "bounce_postmaster_unparseable.eml", expect: Report { rows: &[], standard: false }, verified: false },
    Case {
        file: "bounce_post_master_tr.eml",
        expect: Report { rows: &[("selin.yildiz@example.com.tr", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_mail_delivery_system_dotted.eml",
        expect: Report { rows: &[("goncalo.ferreira@example.pt", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_empty_from.eml",
        expect: Report { rows: &[("lars.nielsen@example.dk", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_null_return_path_subject_nl.eml",
        expect: Report { rows: &[("fleur.de.boer@example.nl", "5.1.1", true)], standard: false },
        verified: false,
    },
    Case {
        file: "bounce_system_sender_to_reply.eml",
        expect: Report { rows: &[("ingrid.hansen@example.no", "5.0.0", true)], standard: false },
        verified: false,
    },
    Case {
        file: "arf_yahoo_abuse.eml",
        expect: Feedback { recipient: "olivia.brown@yahoo.example", feedback: "abuse", complaint: true },
        verified: false,
    },
    Case {
        file: "arf_microsoft_jmrp.eml",
        expect: Feedback { recipient: "noah.jansen@outlook.example", feedback: "abuse", complaint: true },
        verified: false,
    },
    Case {
        file: "arf_original_rcpt_to_headers.eml",
        expect: Feedback { recipient: "katrin.schulz@isp.example.de", feedback: "abuse", complaint: true },
        verified: false,
    },
    Case {
        file: "arf_not_spam.eml",
        expect: Feedback { recipient: "pieter.smit@example.nl", feedback: "not-spam", complaint: false },
        verified: false,
    },
    Case {
        file: "arf_mangled_outer_type.eml",
        expect: Feedback { recipient: "zeynep.arslan@mail.example.com.tr", feedback: "abuse", complaint: true },
        verified: false,
    },
    Case {
        file: "human_forwarded_bounce.eml",
        expect: Posted {
            kept: "Jan, mijn mail aan Pieter komt terug. Klopt zijn adres nog?",
            trimmed: Some("This is the mail system at host"),
        },
        verified: false,
    },
    Case {
        file: "human_delivery_failed_text.eml",
        expect: Posted {
            kept: "Hi Jan,\n\nthe delivery failed again: the mail system said \"550 5.1.1 user unknown\"\nfor anna.kowalska@example.pl. Mail delivery software is a mystery to me.\nCould you check her address?\n\nTomasz",
            trimmed: None,
        },
        verified: false,
    },
    Case {
        file: "gmail_wrapped_header_en.eml",
        expect: Posted {
            kept: "Thanks Jan, I'll bring the printed portfolio on Thursday.\n\nSarah",
            trimmed: Some("On Mon, 3 Mar 2025 at 10:00, Jan de Vries van der Berg\n<jan.devries@example.nl> wrote:"),
        },
        verified: false,
    },
    Case {
        file: "gmail_wrapped_header_three_lines_gmt.eml",
        expect: Posted {
            kept: "Correu bem! Querem uma segunda conversa na sexta.",
            trimmed: Some("On Monday, 3 March 2025 at 10:00 GMT+02:00,"),
        },
        verified: false,
    },
    Case {
        file: "yahoo_gmt_offset_unquoted.eml",
        expect: Posted { kept: "Merhaba Jan,\n\nCV'mi güncelledim, ekte bulabilirsin.", trimmed: Some("CV'ni güncelledin mi?") },
        verified: false,
    },
    Case {
        file: "at_date_wrote_en.eml",
        expect: Posted {
            kept: "Yes, count me in for the networking evening.",
            trimmed: Some("There is a networking evening on the 12th."),
        },
        verified: false,
    },
    Case {
        file: "gmail_reply_da.eml",
        expect: Posted {
            kept: "Hej Jan,\n\nTak for tippet, jeg har sendt min ansøgning.\n\nMette",
            trimmed: Some("Har du set opslaget fra kommunen?"),
        },
        verified: false,
    },
    Case {
        file: "gmail_reply_nb.eml",
        expect: Posted { kept: "Intervjuet er flyttet til onsdag.", trimmed: Some("Når er intervjuet?") },
        verified: false,
    },
    Case {
        file: "thunderbird_reply_sv.eml",
        expect: Posted { kept: "Jag har anmält mig till kursen i projektledning.", trimmed: Some("Har du hittat en kurs?") },
        verified: false,
    },
    Case {
        file: "gmail_reply_ru.eml",
        expect: Posted {
            kept: "Спасибо, Ян! Я исправлю резюме до пятницы.", trimmed: Some("Посмотри, пожалуйста, раздел об опыте.")
        },
        verified: false,
    },
    Case {
        file: "apple_mail_reply_ru.eml",
        expect: Posted { kept: "Да, вторник подходит.", trimmed: Some("Отправлено с iPhone") },
        verified: false,
    },
    Case {
        file: "thunderbird_reply_ru.eml",
        expect: Posted {
            kept: "Меня взяли на стажировку!", trimmed: Some("Есть новости о стажировке?")
        },
        verified: false,
    },
    Case {
        file: "gmail_reply_uk.eml",
        expect: Posted {
            kept: "Дякую, Яне! Співбесіда пройшла добре.", trimmed: Some("Як пройшла співбесіда?")
        },
        verified: false,
    },
    Case {
        file: "zoho_reply_en.eml",
        expect: Posted {
            kept: "Hi Jan,\n\nI asked for 8% more and they agreed to 6%. I accepted.\n\nPriya",
            trimmed: Some("Ask for a bit more than you expect."),
        },
        verified: false,
    },
    Case {
        file: "zoho_reply_de.eml",
        expect: Posted { kept: "Ich habe die Bewerbung heute abgeschickt.", trimmed: Some("Hast du die Bewerbung schon abgeschickt?") },
        verified: false,
    },
    Case {
        file: "original_message_asterisks.eml",
        expect: Posted {
            kept: "Hola Jan,\n\nMe han ofrecido las prácticas en Valencia.", trimmed: Some("¿Sabes algo de las prácticas?")
        },
        verified: false,
    },
    Case {
        file: "original_message_equals_pl.eml",
        expect: Posted { kept: "Dostałam odpowiedź z firmy, zaproszenie na rozmowę.", trimmed: Some("Czy odezwali się z firmy?") },
        verified: false,
    },
    Case {
        file: "sign_off_samsung_nl.eml",
        expect: Posted { kept: "Donderdag om twee uur is goed.", trimmed: Some("Verzonden vanaf mijn Samsung-apparaat") },
        verified: false,
    },
    Case {
        file: "sign_off_iphone_da.eml",
        expect: Posted { kept: "Jeg kommer, vi ses!", trimmed: Some("Sendt fra min iPhone") },
        verified: false,
    },
    Case {
        file: "sign_off_outlook_ios_tr.eml",
        expect: Posted { kept: "Perşembe olur, teşekkürler.", trimmed: Some("iOS için Outlook") },
        verified: false,
    },
    Case { file: "sign_off_galaxy_de.eml", expect: Posted { kept: "Passt mir gut.", trimmed: Some("Samsung Galaxy") }, verified: false },
    Case {
        file: "sign_off_proton_and_signature_pt.eml",
        expect: Posted { kept: "Terminei o primeiro módulo do curso.\n\nJoão", trimmed: Some("Sent with Proton Mail secure email.") },
        verified: false,
    },
    Case {
        file: "bottom_posted_ru.eml",
        expect: Posted {
            kept: "Да, вчера вечером.\n\nДмитрий", trimmed: Some("Ты отправил документы?")
        },
        verified: false,
    },
    Case { file: "malformed_empty.eml", expect: Error("empty message"), verified: false },
    Case { file: "malformed_no_headers.eml", expect: Error("malformed message"), verified: false },
    Case { file: "malformed_unclosed_boundary.eml", expect: BestEffort("De grens sluit nooit af."), verified: false },
    Case { file: "malformed_8bit_garbage.eml", expect: BestEffort("gewone woorden"), verified: false },
    Case { file: "malformed_missing_from.eml", expect: BestEffort("Wie ben ik?"), verified: false },
    Case { file: "malformed_bad_base64.eml", expect: BestEffort(""), verified: false },
    Case { file: "malformed_deep_nesting.eml", expect: Error("MIME parts"), verified: false },
    Case { file: "malformed_huge_header.eml", expect: Error("header section"), verified: false },
    Case { file: "html_unclosed_head.eml", expect: Posted { kept: "Dank je, tot morgen.", trimmed: None }, verified: false },
    Case {
        file: "outlook_web_signature_html.eml",
        expect: Posted { kept: "Friday 3pm is fine.", trimmed: Some("When shall we do the mock interview?") },
        verified: false,
    },
    Case {
        file: "yahoo_html_reply.eml",
        expect: Posted { kept: "I signed the contract today!", trimmed: Some("Did you sign?") },
        verified: false,
    },
    Case {
        file: "proton_html_reply.eml",
        expect: Posted { kept: "Comecei o curso ontem.", trimmed: Some("Já começaste?") },
        verified: false,
    },
    Case {
        file: "human_undeliverable_subject.eml",
        expect: Posted { kept: "My mail to pieter.jansen@example.nl bounced with 550 5.1.1, is his address wrong?", trimmed: None },
        verified: false,
    },
];

/// One of the service's tagged addresses (bounce, reply or mentorship).
fn ours(address: &str) -> bool {
    mentorpost_inbound::address::tagged(address, "mentorpost.test")
        .is_some_and(|(k, _)| matches!(k.as_str(), "bounce" | "reply" | "mentorship"))
}

fn words(s: &str) -> BTreeMap<&str, usize> {
    let mut m = BTreeMap::new();
    for w in s.split_whitespace() {
        *m.entry(w).or_insert(0) += 1;
    }
    m
}

#[test]
fn corpus_outcomes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.file.to_owned()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every fixture has exactly one expected outcome");
    assert!(CASES.len() >= 150);

    let mut failures = Vec::new();
    for case in CASES {
        let raw = std::fs::read(dir.join(case.file)).expect("fixture");
        let got = parse(&raw);
        let problem: Option<String> = match (&case.expect, &got) {
            (Error(want), Err(e)) => (!e.to_string().contains(want)).then(|| format!("error {e:?}, want {want:?}")),
            (Error(want), Ok(_)) => Some(format!("parsed, want error {want:?}")),
            (_, Err(e)) => Some(format!("error {e}")),
            (expect, Ok(mail)) => {
                let mut p = Vec::new();
                // Nothing the sender wrote is lost.
                let mut both = words(&mail.body.kept);
                for (w, n) in words(mail.body.trimmed.as_deref().unwrap_or_default()) {
                    *both.entry(w).or_insert(0) += n;
                }
                if both != words(&mail.text) {
                    p.push("kept + trimmed lost or added words".to_owned());
                }
                if mail.auth.sender_verified() != case.verified {
                    p.push(format!("sender_verified {}, want {}", mail.auth.sender_verified(), case.verified));
                }
                match expect {
                    Posted { kept, trimmed } => {
                        if mail.body.kept != *kept {
                            p.push(format!("kept {:?}\n      want {:?}", mail.body.kept, kept));
                        }
                        match (trimmed, &mail.body.trimmed) {
                            (None, None) => {}
                            (Some(want), Some(got)) if got.contains(want) => {}
                            (want, got) => p.push(format!("trimmed {got:?}, want containing {want:?}")),
                        }
                        if let Some(a) = &mail.automatic {
                            p.push(format!("automatic {}", a.reason()));
                        }
                        if mail.from.is_none() || mail.message_id.is_none() {
                            p.push("no From or Message-ID".to_owned());
                        }
                        if !mail.recipients.iter().any(|r| r.starts_with("reply+")) {
                            p.push(format!("no reply address in {:?}", mail.recipients));
                        }
                    }
                    Auto(reason) => match &mail.automatic {
                        Some(a) if a.reason() == *reason => {}
                        other => p.push(format!("automatic {other:?}, want {reason:?}")),
                    },
                    Report { rows, standard } => {
                        if mail.automatic != Some(Automatic::DeliveryReport) {
                            p.push(format!("automatic {:?}", mail.automatic));
                        }
                        if !mail.recipients.iter().any(|r| ours(r)) {
                            p.push(format!("no address of ours in {:?}", mail.recipients));
                        }
                        match &mail.report {
                            Some(r) => {
                                let got: Vec<(&str, &str, bool)> =
                                    r.recipients.iter().map(|f| (f.address.as_str(), f.status.as_str(), f.permanent)).collect();
                                if got != rows.to_vec() || r.standard != *standard {
                                    p.push(format!("report {got:?} standard {}, want {rows:?} {standard}", r.standard));
                                }
                            }
                            None => p.push("no report".to_owned()),
                        }
                    }
                    Feedback { recipient, feedback, complaint } => {
                        if mail.automatic != Some(Automatic::FeedbackReport) {
                            p.push(format!("automatic {:?}", mail.automatic));
                        }
                        match &mail.report {
                            Some(r) => {
                                let got: Vec<&str> = r.recipients.iter().map(|f| f.address.as_str()).collect();
                                let kind = ReportKind::Feedback { feedback_type: (*feedback).to_owned() };
                                if got != [*recipient] || r.kind != kind || r.is_complaint() != *complaint {
                                    p.push(format!("feedback {got:?} {:?} complaint {}", r.kind, r.is_complaint()));
                                }
                                // The VERP address it is mapped by: ours, in the report or the mail's own.
                                if !r.original_sender.as_deref().is_some_and(ours) && !mail.recipients.iter().any(|a| ours(a)) {
                                    p.push(format!("no address of ours: {:?}", r.original_sender));
                                }
                            }
                            None => p.push("no report".to_owned()),
                        }
                    }
                    BestEffort(text) => {
                        if !mail.text.contains(text) {
                            p.push(format!("text {:?}, want containing {text:?}", mail.text));
                        }
                    }
                    Error(_) => unreachable!(),
                }
                (!p.is_empty()).then(|| p.join("\n    "))
            }
        };
        if let Some(p) = problem {
            failures.push(format!("{}:\n    {p}", case.file));
        }
    }
    assert!(failures.is_empty(), "{} of {} fixtures wrong:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}
