// Search ranking of the book: the same scores as Sphinx's default, except that
// a chapter comes before the API reference and the gallery, which repeat the
// names of the algorithms that the chapters explain.
var Scorer = {
  score: (result) => {
    const [docname, , , , score] = result;
    if (docname.startsWith("api/")) return score - 20;
    if (docname.startsWith("gallery_build/")) return score - 10;
    return score;
  },
  objNameMatch: 11,
  objPartialMatch: 6,
  objPrio: { 0: 15, 1: 5, 2: -5 },
  objPrioDefault: 0,
  title: 15,
  partialTitle: 7,
  term: 5,
  partialTerm: 2,
};
