/// The parts of a Punkt model that `PunktSentenceSplitter` uses.
///
/// `english` holds data from NLTK's English `punkt_tab` model (trained by
/// Kiss and Strunk on English newswire; NLTK data, Apache License 2.0):
/// the abbreviation types, collocations and sentence starters in full, and,
/// of the orthographic context table, only what decides a lowercase word.
struct PunktParameters: Sendable {
    /// An ordered pair of token types across which a period is not a sentence end.
    struct Collocation: Hashable, Sendable {
        var first: String
        var second: String
    }

    /// Lowercased abbreviations without their final period (for example "dr", "p.m", "ph.d").
    var abbreviations: Set<String>
    /// Type pairs that keep a period inside a sentence.
    var collocations: Set<Collocation>
    /// Lowercased words that, when capitalized after an abbreviation, start a new sentence.
    var sentenceStarters: Set<String>
    /// Types the corpus saw lowercase at a sentence start and never capitalized:
    /// the only lowercase words whose orthographic evidence is "unknown" rather
    /// than "continues the sentence".
    var lowercaseSentenceStarters: Set<String>

    static let english = PunktParameters(
        abbreviations: [
            ". . ", "a.a", "a.c", "a.d", "a.g", "a.h", "a.m", "a.m.e", "a.s", "a.t", "adm", "ala", "ariz",
            "aug", "ave", "b.f", "b.v", "bros", "c", "c.i.t", "c.o.m.b", "c.v", "calif", "chg", "cie", "co",
            "col", "colo", "conn", "corp", "cos", "ct", "d", "d.c", "d.h", "d.w", "dec", "dr", "e", "e.f",
            "e.h", "e.l", "e.m", "f", "f.g", "f.j", "feb", "fla", "fri", "ft", "g", "g.d", "g.f", "g.k", "ga",
            "gen", "h", "h.c", "h.f", "h.m", "i.m.s", "ill", "inc", "j.b", "j.c", "j.j", "j.k", "j.p", "j.r",
            "jan", "jr", "k", "kan", "ky", "l", "l.a", "l.f", "l.p", "lt", "ltd", "m", "m.b.a", "m.d.c", "m.j",
            "maj", "messrs", "mg", "mich", "minn", "mr", "mrs", "ms", "n", "n.c", "n.d", "n.h", "n.j", "n.m",
            "n.v", "n.y", "nev", "nov", "oct", "ok", "okla", "ore", "p", "p.a.m", "p.m", "pa", "ph.d", "prof",
            "r", "r.a", "r.h", "r.i", "r.j", "r.k", "r.t", "rep", "reps", "s", "s.a", "s.a.y", "s.c", "s.g",
            "s.p.a", "s.s", "sen", "sep", "sept", "sr", "st", "sw", "t", "t.j", "tenn", "tues", "u.k", "u.n",
            "u.s", "u.s.a", "u.s.s.r", "v", "va", "vs", "vt", "w", "w.c", "w.r", "w.va", "w.w", "wash", "wed",
            "wis", "yr",
        ],
        collocations: Set([
            ("##number##", "abreast"), ("##number##", "aes"), ("##number##", "business"), ("##number##",
            "cbot"), ("##number##", "colgate"), ("##number##", "commodities"), ("##number##", "cooper"),
            ("##number##", "corrections"), ("##number##", "credit"), ("##number##", "dividend"), ("##number##",
            "financing"), ("##number##", "genentech"), ("##number##", "henley"), ("##number##", "insider"),
            ("##number##", "international"), ("##number##", "leisure"), ("##number##", "letters"),
            ("##number##", "notable"), ("##number##", "pay-fone"), ("##number##", "pegasus"), ("##number##",
            "pepper"), ("##number##", "review"), ("##number##", "rj"), ("##number##", "wedgestone"),
            ("##number##", "who"), ("##number##", "zimmer"), ("b", "edelman"), ("b", "levine"), ("b", "smith"),
            ("b", "stewart"), ("b", "wigton"), ("i", "magnin"), ("i", "toussie"), ("j", "aron"), ("j",
            "fialka"), ("j", "walter"), ("o", "ludcke"),
        ].map { Collocation(first: $0.0, second: $0.1) }),
        sentenceStarters: [
            "according", "although", "among", "both", "but", "despite", "even", "he", "however", "i", "if",
            "in", "indeed", "instead", "it", "many", "meanwhile", "moreover", "most", "nevertheless",
            "nonetheless", "nor", "sales", "separately", "similarly", "since", "so", "some", "the", "there",
            "these", "they", "this", "though", "thus", "under", "when", "while", "yet",
        ],
        lowercaseSentenceStarters: ["administrators", "b-week", "r-revised", "z-holiday"])
}
