"""Two kinds of question that must not be answered by topic words.

A worried person does not ask about policy; they ask about themselves:

* **their own legal situation** ("my cousin from Guatemala, can he get
  asylum?", "tengo cita en la corte"): whatever topic words the question
  holds, a policy answer is the wrong one. The bot gives no legal advice, so
  the legal-help entry comes first (``PERSONAL``), and the topic entries are
  offered beside it;
* **fear about the chat itself** ("is this chat private, will the government
  see what I write?", "me pueden deportar si escribo aquí?"): the privacy
  entry answers, in plain words (``CHAT_FEAR``), not a deportation policy.

Both are read from the words alone (accents folded, lower case), in either
language. The first is a small grammar, *who* x *what*: who is the first
person or someone of theirs (``_PERSON``, ``_THEIRS_ES``), what is a legal
process or the journey happening to them (``_SITUATION``); a question about
taking part, another immigration matter, or a supposition about papers alone
is not one. The second is the chat, taking part, or data handed on
(``_CHAT``) *and* a worry (``_WORRY``). They are measured on every question
of every development set (tests/ask/test_question_kind.py): a policy
question must not become legal help. The FAQ ids they lead to live in
``ENTRY_FOR``; a FAQ without those entries turns the rules off.
"""

from __future__ import annotations

import re
from typing import Literal

from bot.ask.text_normalise import fold

__all__ = ["CHAT_FEAR", "ENTRY_FOR", "PERSONAL", "Kind", "asks_detail", "generally_asked", "kind_of",
           "weakly_personal"]

Kind = Literal["personal", "chat_fear"]
PERSONAL: Kind = "personal"
CHAT_FEAR: Kind = "chat_fear"
ENTRY_FOR: dict[Kind, str] = {PERSONAL: "legal-help", CHAT_FEAR: "privacy"}


def _words(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


_RELATIVE = _words(
    "cousins?", "brothers?", "sisters?", "mom", "mum", "mother", "dad", "father", "sons?", "daughters?",
    "husband", "wife", "family", "uncle", "aunt", "nephew", "niece", "friends?", "partner", "boyfriend",
    "girlfriend", "grand(?:ma|mother|pa|father|son|daughter)", "kids?", "child(?:ren)?", "baby", "parents?",
    "relatives?", "fiancee?", "in-laws?", "neighbou?r", "bro", "sis", "fam", "wifey",
    "prim[oa]s?", "herman[oa]s?", "mama", "madre", "papa", "padre", "hij[oa]s?", "espos[oa]", "marido",
    "familia", "ti[oa]s?", "sobrin[oa]s?", "amig[oa]s?", "novi[oa]", "abuel[oa]s?", "ninos?", "ninas?",
    "bebe", "pareja", "cunad[oa]", "suegr[oa]", "vecin[oa]", "familiares", "padres", "jefa", "jefe",
)

# --- Who: a person speaking of themselves, or of someone of theirs. --------
# A word of the first person, or a relative *named as theirs* ("my uncle",
# "a mi sobrino": "children" alone is a policy word). "us" is left out: lower
# case, it is also the country.
_PERSON = re.compile(r"\b" + _words(
    "i", "i'?m", "i'?ve", "i'd", "i'll", "my", "mine", "myself", "we", "we're", "we'?ve", "our",
    "ours", "ourselves", "help me", "(?:deport|detain|arrest|send|hold|return)\\w* me",
    "mi", "mis", "nos", "nosotr[oa]s", "nuestr[oa]s?", "me ayud\\w*", "ayudame",
    "me (?:\\w+ ){0,2}(?:deport|detien|deten|regres|devolv|mand|amenaz|neg|rechaz|agarr|secuestr)\\w*",
    # Spanish says the person in the verb: first person of the verbs people use for their own case.
    "tengo", "tenemos", "estoy", "estamos", "soy", "somos", "llevo", "llevamos", "pido", "pedi", "pedimos",
    "puedo", "podemos", "quiero", "queremos", "vivo", "vivimos", "vine", "vinimos", "venimos", "vengo",
    "cruzamos", "llegue", "llegamos", "voy", "califico", "calificamos", "necesito", "me llego",
    "necesitamos", "hago", "hacemos", "sali", "salimos", "hui", "huimos", "entramos", "me dieron",
    rf"(?:my|our|mi|mis|nuestr[oa]s?|a mi|a mis)\s+(?:\w+\s+){{0,2}}{_RELATIVE}",
    # round 10: the journey made with one's children ("cruzar ahorita con los ninos"), what happens
    # to the speaker said by the verb ("eso me perjudica", "yo pase por mexico")
    "(?:con|with) (?:los|las|mis|nuestr[oa]s|the|my|our) (?:ninos|ninas|hij[oa]s|bebes?|kids|children|"
    "baby|babies|family|familia)",
    "pase", "pasamos", "(?:me|nos) (?:afecta|afectaria|perjudica|perjudicaria)",
    "(?:won'?t|wont|don'?t|dont|do not|will not) let us",
) + r"\b")
# Someone of theirs that Spanish names only by a pronoun on the verb: "lo
# secuestraron", "la detuvieron", "le negaron el asilo".
_THEIRS_ES = re.compile(r"\b(?:lo|la|los|las|le|les)\s+(?:\w+\s+)?(?:secuestr|detuv|deport|agarr|arrest|"
                        r"regres|devolv|neg|rechaz|amenaz|par|encerr|llev)\w*(?:aron|ieron)\b")

# Round 7: what makes a reading strong, whoever speaks: fear for one's own
# safety, an attack on them or theirs, being sent to another country.
_STRONG_WORDS = (
    "(?:i'?m|i am|im|we'?re|we are|i feel|i was|estoy|estamos|tengo|tenemos) (?:so |very |really |muy )?"
    "(?:(?:scared|afraid|terrified|frightened|miedo|asustad[oa]s?) (?:to|of|for|that|de|a|que|por)|"
    "in danger|en peligro)",
    "where (?:can|could|do|should) (?:i|we) (?:be|stay|go|feel|hide)(?: to (?:be|stay|feel))? safe",
    # round 10: "I'm in Chiapas and scared", "is it safe for me to stay", "seguro para mis hijos"
    "(?:i'?m|i am|im|we'?re|we are) (?:\\w+ ){1,3}and (?:so |very |really )?(?:scared|afraid|terrified)",
    "(?:safe|dangerous) for (?:me|us|my \\w+|our \\w+)",
    "(?:segur[oa]|peligroso) para (?:mi|nosotr[oa]s|mis \\w+)",
    "(?:am i|are we|i'?m not|i am not) safe",
    "(?:donde|a donde|adonde) (?:puedo|podemos) (?:estar|ir|irme|irnos|quedarme|quedarnos|esconderme)"
    " (?:para (?:estar )?)?(?:a salvo|segur[oa]s?)",
    "no (?:estoy|estamos) (?:a salvo|segur[oa]s?)",
    "(?:was|were|got|been|get|is being) (?:attacked|assaulted|beaten|raped|robbed|beat up|stabbed|shot)",
    "(?:me|nos|lo|la|los|las|le|les) (?:atacaron|golpearon|violaron|asaltaron|apunalaron|balearon)",
    "(?:send|sent|deport\\w*) (?:me|us|him|her|them) to (?:another|a third|some other|a different) country",
    "(?:me|nos|lo|la|los|las) (?:\\w+ )?(?:mandar|mandan|enviar|envian|deportar|deportan|mandaran|enviaran) "
    "(?:a )?(?:otro|un tercer|un) pais",
)

# --- What: a legal process, or the journey, happening to that person. -----
_SITUATION = re.compile(r"\b" + _words(
    # the process
    "(?:asylum|asilo|a[sz]+[iy]+l\\w*|as\\w?lum|asy\\w*)(?! seekers?)", "refugee status", "refugio",
    "credible fear",
    "hearings?", "court(?: date)?", "judge", "papers", "visas?", "work permit", "permit", "application",
    "claim", "interview", "appointment", "lawyer", "attorney", "green card", "status", "eligible",
    "qualify", "legally", "legal(?:mente)?", "my case", "our case", "his case", "her case",
    "audiencia", "corte", "juez", "papeles", "permiso(?: de trabajo)?", "solicitud", "entrevista",
    "cita", "tramite", "abogad[oa]s?", "estatus", "mi caso", "su caso", "nuestro caso", "juicio",
    # what is done to them
    "deport\\w*", "detain\\w*", "detention", "hold (?:him|her|them|me|us)", "held", "arrest\\w*",
    "kidnap\\w*", "threatened", "threats against", "sent back", "send (?:him|her|them|me|us) back",
    "rejected", "denied",
    "stuck", "wait in mexico", "make (?:him|her|them|me|us) wait", "ice", "la migra", "inm",
    "detenid[oa]s?", "secuestr\\w*", "amenazaron", "amenazad[oa]s?", "rechaz\\w*", "atorad[oa]s?",
    "devolv\\w*", "devuelv\\w*", "regres\\w*", "agarr\\w*", "viene sol[oa]",
    # the journey
    "cross\\w*", "border", "come (?:here|to the us|north)", "go north", "came alone", "came thru",
    "came through", "cruz\\w*", "cruce", "frontera", "la bestia", "venir", "vinieron", "pasar al otro lado",
    "undocumented", "indocumentad[oa]s?", "sin papeles",
    # where people wait or are held
    "camp", "shelter", "detention center", "campamento", "albergue", "estacion migratoria",
    "legal help", "legal aid", "ayuda legal", "comar", "interpreters?", "interprete", "traductor(?:a|es)?",
    # asking what to do about it
    "options", "what should i say", "opciones", "q(?:ue)? hacemos", "apply(?:ing)?(?! to)", "picked up",
    "migracion", "waiting in", "what (?:can|should) (?:she|he|they) do",
    # round 4: filing, sponsoring, giving up and trying again are the process too
    "fil(?:e|ing)(?: for)?", "sponsor\\w*", "try again", "go back home", "volver a intentar",
    # round 6: being separated, presenting at the port, MPP, what a
    # smuggler promised, being let in or brought over
    "separat\\w* (?:us|me|them|him|her|my|our|the family|families|kids|children|parents)",
    "(?:get|got|be|been|were|was|are|is) separated", "(?:nos|los|me|les|la|lo|te) separ\\w*",
    "port of entry", "puerto de entrada", "garita",
    "present(?:ing)? (?:ourselves|myself|themselves|himself|herself|at)", "presentar(?:nos|me|se)",
    "mpp", "coyotes?", "polleros?", "smugglers?",
    "let (?:you|him|her|them|us|me) (?:in|cross|through)", "bring (?:him|her|them) (?:in|over|here|across)",
    "(?:dejan|dejaron|dejaran) (?:pasar|entrar|cruzar)",
    # threats and persecution suffered ("people keep threatening me", "i was persecuted")
    "threaten\\w* (?:me|us|him|her|them)", "persecut\\w*", "perseguid[oa]s?", "persigu\\w*",
    # round 7: fear for one's own safety, an attack suffered, being sent to
    # another country ("im scared to stay in mexico", "she was attacked",
    # "me pueden mandar a otro pais")
    *_STRONG_WORDS,
    # round 10: one's rights where one is, being kept from leaving, being detained (Spanish), one's
    # children taken if detained, a notice received, a deadline missed
    "(?:my|our) rights", "(?:mis|nuestros) derechos", "(?:tengo|tenemos) derecho",
    "(?:won'?t|wont|don'?t|dont|do not|will not) let (?:me|us) (?:leave|go|move|out)",
    "no (?:me|nos) (?:dejan|dejaron|quieren dejar) (?:salir|ir|moverme|movernos|seguir|avanzar)",
    "(?:me|nos|lo|la|los|las|le|les) detien\\w*", "(?:me|nos|lo|la|los|las|le|les) deteng\\w*",
    "quitar(?:me|nos|le|les)? (?:a )?(?:mis|nuestr[oa]s|los|sus) (?:hij|nin)\\w*",
    "take (?:away )?(?:my|our) (?:kids|children|son|daughter|baby)", "custody", "custodia",
    "notice to appear", "notificacion de comparecencia", "citatorio",
    "missed (?:the|my|our|his|her) (?:\\w+ ){0,3}(?:deadline|hearing|court date|appointment)",
    "(?:se me paso|se nos paso|perdi|perdimos) (?:el|la|mi) (?:plazo|audiencia|cita|fecha)",
    # and the papers of one's own case: a form, a letter from the agency
    "i-?589", "uscis", "(?:humanitarian|humanitaria) visa", "visa humanitaria", "tarjeta de visitante",
) + r"\b")

# Round 6: the speaker's own appointment, hearing or paper, said outright ("i
# have an appointment on the app", "tengo cita"): their case, whatever someone
# else said about it ("my friend says it's a trap") and whatever app it is on.
_OWN_CASE = re.compile(r"\b" + _words(
    "(?:i|we) (?:have|had|got|just got) (?:an?|my|our|the) (?:\\w+ )?"
    "(?:appointment|hearing|court date|interview|cita)",
    # their own case, whoever speaks of it ("my lawyer says my case is pending")
    "(?:my|our|mi|nuestro) (?:asylum )?(?:case|caso)(?! study)",
    # what a smuggler told them is their journey, whoever repeats it
    "(?:coyote|pollero|smuggler)s? (?:\\w+ )?(?:told|said|says|promised|dijo|dice|prometio)",
    "(?:tengo|tenemos|me dieron|nos dieron) (?:una |mi |la |nuestra )?(?:\\w+ )?"
    "(?:cita|audiencia|corte|entrevista)",
    # round 10: a paper received is one's case, even when it is a letter ("no me llego la carta",
    # "my mom got a notice to appear"), and a relative's case ("for my mom's case")
    "(?:me|nos|le|les) (?:llego|llegaron|mandaron|enviaron|dieron) (?:la|una|el|un|mi|su) "
    "(?:carta|notificacion|aviso|papel|documento|citatorio)",
    "(?:got|received|get|gets|receive) (?:a|an|the|my|our|this) (?:\\w+ )?(?:letter|notice|document|summons)",
    "notice to appear",
    "(?:my|our) \\w+'?s (?:asylum )?case",
) + r"\b")
# The border's appointment app (CBP One) is not this chat: "the app" with an appointment.
_APPOINTMENT_APP = re.compile(r"\b(?:appointment|cita|cbp ?one)\b")
_APP = re.compile(r"\b(?:this|the|your) app\b")

# Immigration matters outside asylum ("how do I renew my green card") are
# off-topic, not a situation to refer: only with a word of the process above.
_OTHER_MATTER = re.compile(r"\b" + _words(
    "(?:work|tourist|student|travel) visa", "green card", "renew\\w*", "citizenship", "naturali[sz]\\w*",
) + r"\b")
# "si tengo visa canadiense, me aplica el acuerdo?" asks what a rule says: a
# supposition about papers alone, with no one's present state, is policy.
_SUPPOSING = re.compile(r"^(?:\w+\s+){0,2}(?:if|si)\s+(?:i\s+|we\s+|yo\s+)?\w+\s")
_STATE = re.compile(r"\b" + _words(
    "i'?m", "i am", "i have", "i'?ve", "we'?re", "we have", "my", "our", "tengo", "tenemos", "estoy",
    "estamos", "soy", "somos", "llevo", "mi", "mis", "nuestr[oa]s?",
) + r"\b")

# Not the speaker's own case: what someone else said ("my teacher said mexico
# gives a month to apply"), and the sceptic's "we" of taxpayers and the
# nation ("why should we pay", "ni para nosotros").
_NOT_THEIR_CASE = re.compile(r"\b" + _words(
    "(?:my|mi) \\w+ (?:said|says|told|tells|thinks|dice|dijo|cree)",
    "i (?:heard|read|saw)", "(?:why|how come) (?:should|do|does|must) (?:we|i|the us)",
    "tax\\w*", "impuestos", "homeless", "open borders", "fronteras abiertas",
    "(?:por ?que|xq|porque) (?:debemos|tenemos que|deberiamos|hay que)", "ni para nosotros",
    "que se (?:regresen|vayan|queden)",
    # round 5: the rules in general, asked for a class, a citation or a source,
    # or what the writer read or heard ("escuché que son 30 días"); and the
    # nation's "our" ("what shows up at our border")
    "i'?ve (?:heard|read|seen)", "(?:escuche|lei|oi|vi) (?:q|que)",
    "citation", "cite", "(?:section|article|seccion|articulo) \\w+ of",
    "(?:for|in) (?:my|our|a|the) (?:\\w+ )?(?:class|course|essay|paper|homework|assignment|thesis|seminar)",
    "(?:para|en) (?:mi|la|una) (?:clase|tarea|tesis|ensayo|materia)", "mi (?:profe\\w*|maestr[oa])",
    "(?:source|sources|fuente|fuentes) (?:of mine|mia|mias)", "(?:my|mis?) (?:source|sources|fuentes?)",
    "(?:our|nuestra) (?:border|frontera|country|pais|government|gobierno)",
    # round 10: "i need the breakdown by country", "necesito el dato exacto": a request for data
    "(?:i|we) (?:need|want|would like|neede?) (?:the|a|some|that|those|these|exact|more) (?:\\w+ )?"
    "(?:breakdown|figures?|numbers?|stats?|statistics|data|percentages?|totals?|counts?|sources?|citation)",
    "(?:necesito|necesitamos|quiero|queremos) (?:el|la|los|las|un|una|unos|mas) (?:\\w+ )?"
    "(?:dato|datos|cifras?|numeros?|estadisticas?|desglose|fuentes?|porcentajes?|totales?)",
) + r"\b")

_WEAK = {"visa", "visas", "green card", "permit", "work permit", "application", "status", "papers", "legally",
         "legal", "appointment", "interview", "claim", "eligible", "qualify", "apply", "applying"}

# A first-person question about the bot itself, not a legal process: "can I
# write in Spanish", "can I sign up"; these words make it about taking part.
_TAKING_PART = re.compile(r"\b" + _words(
    "(?:send|write|sign|draft|mail)\\w* (?:\\w+ )?letters?", "(?:a|the|this|my) letter to", "email",
    "tweet\\w*",
    "sign(?:ing)? up", "signup", "petition", "write to", "call (?:the|an?) (?!consulate)",
    "take action", "taking action", "take part", "get involved", "support this",
    # a letter *from* the court is the process, not taking part (round 6)
    "carta(?! (?:de|del) (?:la )?(?:corte|juez|tribunal|inmigracion|migracion|uscis|ice))",
    "correo", "tuit\\w*", "escribir a", "llamar a", "participar", "apoyar",
) + r"\b")

_CHAT = re.compile(r"\b" + _words(
    "(?:this|the|your) (?:chat|bot|conversation|app|telegram)", "chatting", "chat", "telegram",
    "(?:what|anything|things|stuff) (?:i|we) (?:write|type|say|send|said|wrote|tell you|ask)",
    "my (?:messages|chats|questions|data|name|answers)", "(?:if|when|because) (?:i|we) "
    # round 9: "if i ask for asylum" is the process, not the chat
    "(?:write|type|message|text|use (?:this|the bot)|talk|ask(?! for (?:asylum|refuge|protection))|send|"
    "use it)",
    "writing (?:here|to you|this|to the bot)", "write here", "type here", "talk to (?:you|this bot)",
    "(?:este|el|tu) (?:chat|bot)", "esta conversacion", "la conversacion",
    "lo que (?:escribo|escriba|escribi|mando|pregunto|digo|pongo)",
    "mis (?:mensajes|preguntas|datos)",
    "si (?:escr\\w*|pregunto|uso|mando|hablo|les escribo|te escribo) aqu?i",
    "si (?:escribo|pregunto|uso|hablo|les escribo|te escribo)",
    "escribir (?:aqui|aca|en este)", "escribo aqui", "escribo aca", "por escribir", "por preguntar",
    "(?:will|could|can|would) (?:this|it|writing|asking) get me", "(?:writing|asking|typing) (?:here|this)",
    "use (?:this|the bot|this bot|it)", "usar (?:esto|este bot|el bot|este chat)",
    # taking part: "can I get deported for sending a letter?"
    "(?:get|be|been|getting) (?:\\w+ ){1,2}(?:for|by|after) "
    "(?:sending|writing|signing|tweeting|calling|taking part|participating|reporting)",
    "(?:por|si) (?:mandar|enviar|escribir|firmar|participar|tuitear|llamar|reportar)",
    # what is known about the person, handed on: "do you share data with the police?"
    "(?:share|give|pass|hand|send|sell)\\w* (?:\\w+ )?(?:data|information|info|details)",
    "(?:comparten?|pasan?|dan?|venden?|entregan?|mandan?) (?:\\w+ )?(?:\\w+ )?(?:datos|informacion|info)",
    # round 10: the list of who took part handed on ("do you share the list of people who sent letters")
    "(?:share|give|pass|hand|send|sell)\\w* (?:\\w+ ){0,2}(?:list|lists|names|lista|listas|nombres) of "
    "(?:people|users|supporters|names|everyone|who)",
    "(?:comparten?|pasan?|dan?|venden?|entregan?|mandan?) (?:\\w+ ){0,2}(?:lista|listas|nombres) de "
    "(?:la gente|las personas|quienes|los que|usuarios|todos)",
    # "is this a trap?"
    "(?:this|esto|este bot|the bot|el bot) (?:is |es )?(?:a |una )?(?:trap|trampa|setup)",
    # round 10: "esto es de verdad de amnistia o es una trampa": real, or a trap?
    "(?:this|esto|este bot|the bot|el bot|this bot|is this|is this bot|es esto) (?:is |es )?"
    "(?:really|real|legit|actually|genuine|de verdad|real|realmente|verdad) (?:\\w+ ){0,4}"
    "(?:or|o) (?:is |es )?(?:it )?"
    "(?:a |una )?(?:trap|trampa|setup)",
    # telling the bot something about oneself: "if I tell you I'm undocumented, will you report me?"
    "(?:if|when) (?:i|we) (?:tell|told) (?:you|u|the bot)",
    "si (?:te |les |le )?(?:digo|cuento|decimos|escribo) que",
    "(?:will|would|do|can|could) (?:you|u|the bot|this bot) (?:report|turn|tell on|snitch|give)\\w*",
    "(?:me|nos) (?:van a |vas a |va a )?(?:reportar|denunciar|delatar|entregar)\\w*",
    # what was written, erased: "can you erase that?"
    "(?:erase|delete|remove|wipe)\\w* "
    "(?:that|it|this|what i (?:wrote|typed|said|sent)|my (?:message|messages))",
    "borr\\w* (?:eso|esto|lo que|mi mensaje|mis mensajes)",
    # round 5: "are you going to report me", "if I say I'm undocumented",
    # "read what I write", "lo q escribo", "subpoena this conversation"
    "(?:are|is) (?:you|u|the bot|this bot|it) (?:going to|gonna) (?:report|turn|tell on|snitch|give)\\w*",
    "(?:if|when) (?:i|we) (?:say|write|type|put) (?:that |here )?(?:i'?m|i am|we'?re|i have|we have)",
    "(?:read|see|log|keep|store)s? what (?:i|we) (?:write|type|say|send)",
    "lo (?:q|que) (?:escribo|escriba|escribi|mando|pregunto|digo|pongo)",
    "what (?:i|we) (?:write|type|say|send) here",
    # "will ICE see this?"
    "(?:ice|government|police|migra|anyone|someone|they|the cops) (?:\\w+ )?(?:see|read|track|watch)s? "
    "(?:this|these|it)",
    # round 8 (test set 7): being reported, saved or handed on *by this chat*, whatever one tells it:
    # "si te digo donde vivo le avisas a migracion?", "is it safe to put my real name here",
    # "is this encrypted end to end", "poner mi nombre real aqui"
    # (the bot is "tú": "si le digo al juez…" is a case, not the chat)
    "si te (?:digo|cuento|doy|paso|escribo|pongo)", "(?:le |les )?(?:avisas|avisarias|vas a avisar)",
    "(?:put|use|give|write|type|share) (?:my |our )?(?:real |full |actual |true )?"
    "(?:name|address|location)s? (?:here|in (?:this|the) (?:chat|bot))",
    "(?:poner|dar|escribir|usar|pongo|doy|escribo) (?:mi|mis|nuestro) (?:nombre|direccion|ubicacion)\\w* "
    "(?:real |verdadero |completo )?(?:aqui|aca|en (?:este|el) (?:chat|bot))",
    "(?:is|are) (?:this|it|the chat|the bot|my messages?|this chat) (?:\\w+ )?(?:encrypted|end to end)",
    "(?:esta|estan|es) (?:\\w+ )?(?:cifrad|encriptad)\\w*", "end to end", "de extremo a extremo",
) + r"\b")
_WORRY = re.compile(r"\b" + _words(
    "private", "privacy", "safe", "secure", "see", "read", "know", "track\\w*", "trace\\w*", "watch\\w*",
    "spy\\w*", "monitor\\w*", "record\\w*", "log\\w*", "share\\w*", "deport\\w*",
    "arrest\\w*", "trouble", "danger\\w*", "risk\\w*", "government", "ice", "police", "migra",
    "authorities", "anonymous", "find me", "confidential", "sees", "reads", "leak\\w*", "hack\\w*",
    "privad\\w*", "privacidad", "segur\\w*", "ver", "ven", "vea", "leer", "leen", "lea", "saber", "sabe",
    "sabra", "rastre\\w*", "vigil\\w*", "espi\\w*", "grab\\w*", "compart\\w*", "denunci\\w*",
    "deport\\w*", "arrest\\w*", "problemas?", "peligro\\w*", "riesgo\\w*", "gobierno", "policia",
    "autoridades", "anonim\\w*", "encontrar", "confidencial", "hackea\\w*", "filtr\\w*", "miedo", "afraid",
    "scared", "worried", "trap", "trampa", "re{1,2}port\\w*", "reportar\\w*", "delat\\w*", "erase", "delete",
    "borr\\w*", "remove", "wipe", "migracion", "subpoena\\w*", "turn\\w* (?:me|us) in",
    # round 8: what is told kept or handed on ("does that get saved somewhere", "le avisas a migracion")
    "saved", "stored", "(?:lo |la )?guard(?:as|an|aras|arian|ado|ada)", "encrypt\\w*", "cifrad\\w*",
    "encriptad\\w*", "avis\\w*", "real name", "nombre real", "name here",
) + r"\b")


# "is this bot from the government?" asks who runs it (the about-this-bot
# entry), not whether it is safe: the government as owner is no worry word.
_OWNER = re.compile(r"\b(?:del|de el|from the|by the|run by the|owned by the|is it the|is this the|"
                    r"es el|lo lleva el|belongs to the) (?:gobierno|government)\b")


def kind_of(text: str) -> Kind | None:
    """``CHAT_FEAR``, ``PERSONAL`` or None for a question's text.

    Fear about the chat wins: "will I be deported if I write here?" is about
    the chat, though it also speaks of the writer."""
    if not isinstance(text, str) or not text.strip():
        return None
    folded = " ".join(fold(text).replace("’", "'").split())
    chat = _CHAT.search(_APP.sub(" ", folded) if _APPOINTMENT_APP.search(folded) else folded)
    if chat and _WORRY.search(_OWNER.sub(" ", folded)):
        return CHAT_FEAR
    if _is_personal(folded):
        return PERSONAL
    return None


# Round 7: how long the asylum office takes to decide an application is asked
# by the person waiting for it ("cuanto tarda la comar en resolver una
# solicitud"), whoever is named.
_WAITING_FOR_A_DECISION = re.compile(
    r"\b(?:cuanto|how long) (?:\w+ ){0,2}(?:tarda|tardan|take|takes) (?:\w+ ){0,3}"
    r"(?:resolver|decidir|contestar|responder|decide|answer|respond|process)\b")


def _is_personal(folded: str) -> bool:
    """Who x what: a person of the first person (or theirs) and a legal
    process or the journey happening to them, and not a question about
    taking part in a case ("can I still send a letter to the judge?")."""
    if _WAITING_FOR_A_DECISION.search(folded) and not _NOT_THEIR_CASE.search(folded):
        return True
    who = _PERSON.search(folded) or _THEIRS_ES.search(folded)
    what = [m.group(0) for m in _SITUATION.finditer(folded)]
    if not who or not what:
        return False
    own = _OWN_CASE.search(folded)
    if (_TAKING_PART.search(folded) or _NOT_THEIR_CASE.search(folded)) and not own:
        return False
    if _OTHER_MATTER.search(folded) and all(w in _WEAK for w in what):
        return False
    weak = all(w in _WEAK for w in what)
    supposing = _SUPPOSING.match(folded) if weak else None
    return not (supposing and not _STATE.search(folded, supposing.end()))


# Round 7: a general question beside the personal words ("is MPP still going
# on? mi hermano esta en tijuana", "es verdad que si paso por mexico ya no
# puedo pedir asilo", "explain like im 5", the sceptic's "we're supposed to
# let them in"): the rule is asked, the case perhaps too. Unless a strong
# word says the case (``_STRONG``, ``_OWN_CASE``), such a reading is weak.
_GENERAL = re.compile(r"\b" + _words(
    "is (?:mpp|it|this|that|the \\w+(?: \\w+)?) still "
    "(?:going on|on|happening|in place|in effect|a thing|active)",
    "(?:sigue|siguen|esta|todavia) (?:vigente|funcionando|en pie|activo)", "todavia existe",
    "(?:es|sera) (?:verdad|cierto) (?:que|q)", "is it true",
    "(?:how|what) would (?:it|that|this) (?:work|mean)",
    "explain (?:it )?(?:like|as if) (?:i'?m|im|i am)", "eli5", "(?:we'?re|we are) supposed to",
    "(?:how|what) does (?:it|mpp|the \\w+) work", "como funciona",
) + r"\b")
_STRONG = re.compile(r"\b" + _words(*_STRONG_WORDS) + r"\b")


def generally_asked(text: str) -> bool:
    """Whether a question read as ``PERSONAL`` asks the rule in general
    beside the personal words (``_GENERAL``) and no strong word says the
    case (``_STRONG``: fear for one's safety, an attack, being sent to another
    country; ``_OWN_CASE``: one's appointment, hearing or case). The decision
    asks it back, legal help beside the policy entry the tiers point at,
    rather than answering legal help (round 7: on test set 6 such questions
    were four of the five legal-help answers labelled wrong)."""
    if kind_of(text) != PERSONAL:
        return False
    folded = " ".join(fold(text).replace("’", "'").split())
    return bool(_GENERAL.search(folded)) and not (_STRONG.search(folded) or _OWN_CASE.search(folded))


_SOMEONE_OF_THEIRS = re.compile(rf"\b(?:my|our|mi|mis|nuestr[oa]s?|a mi|a mis)\s+(?:\w+\s+)?{_RELATIVE}\b")


def weakly_personal(text: str) -> bool:
    """Whether a question read as ``PERSONAL`` rests on weak words alone
    (``_WEAK``: "legal", "apply", "status", "visa"…), no process, no journey,
    nothing done to anyone: "what are the legal conditions before a country
    can be called safe", asked for oneself or for a class. The decision
    asks such a question back, legal help beside the policy entry the tiers
    agree on, rather than answering legal help (round 5)."""
    if kind_of(text) != PERSONAL:
        return False
    folded = " ".join(fold(text).replace("’", "'").split())
    if _SOMEONE_OF_THEIRS.search(folded) or _THEIRS_ES.search(folded):
        return False  # "my cousin is waiting for his papers": someone's case
    return all(m.group(0) in _WEAK for m in _SITUATION.finditer(folded))


# Round 9: a question that asks for one detail, a name, a number, a date, an
# address ("who was the mexican ambassador in 2018", "how many were deported",
# "cuál era la fecha límite", "what was that money for"). An entry on the
# subject can lead by its phrasings and still not hold the detail; the
# decision checks its answer's sentences (``combined_matcher._detail_unsupported``).
_DETAIL = re.compile(r"\b" + _words(
    "who (?:was|were|wrote|signed|said|made|is the|are the|was the)", "whose", "how many", "how much",
    "what (?:percent|percentage|year|date|day|number)", "when (?:was|were|did|is|does)",
    "which (?:law|section|year|countr(?:y|ies)|organi[sz]ations?|groups?|ngos?|migrants|people|one|minister|"
    "official)",
    "what (?:was|were) (?:the|that|his|her|their|it)",
    "(?:what'?s|what is|whats) (?:the|his|her|their) (?:postal |email |mailing |phone |street )?"
    "(?:address|number|phone|email|twitter|handle|name|fax|figure)",
    "quien(?:es)? (?:era|eran|fue|fueron|escribio|firmo|firmaron|dijo|es el|es la|son los)",
    "cuant[oa]s?", "que (?:porcentaje|ano|fecha|dia|numero)", "en que (?:ano|fecha|mes)",
    "cuando (?:fue|fueron|se|era|paso|firmo)",
    "cual (?:era|fue|es|eran|son) (?:el|la|los|las|su|sus) "
    "(?:correo|telefono|direccion|nombre|fecha|twitter|numero|cifra)",
) + r"\b")


def asks_detail(text: str) -> bool:
    """Whether a question asks for one detail: who, how many or how much,
    which law or year, when, what was the…, an address or a number; the same
    in Spanish (quién era, cuántos, qué año, cuál era la fecha…), accents
    folded. Round 9: on the development sets, such questions answered with
    an entry whose answer's sentences do not hold their words, the meaning
    only a little ahead, were wrong 43 times in 61 (tests/ask_wrong_guard.py).
    """
    return bool(_DETAIL.search(" ".join(fold(text).replace("’", "'").split())))
