"""Collecting matches: the bitsets of queries, postings skipped by bisection, field lengths
read from memory, and scores read from the postings."""

from datetime import datetime, timedelta, timezone

from search import SearchIndex, plan, ranking
from search.bitsets import Bitsets, BitWalk
from search.schema import LeafMatcher
from search.scoring import FieldLengths, byte_to_length, compile_scorer
from search.store import SHARDS, shard_of

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=timezone(timedelta(hours=8)))


def docnums(bits: int) -> list[int]:
    walk, found = BitWalk(bits), []
    while walk.is_active():
        found.append(walk.id())
        walk.next()
    return found


def ids_in_one_shard(prefix: str, count: int) -> list[str]:
    """Document ids that land in the same shard: written there in this order."""
    ids = (f"{prefix}{number}" for number in range(10_000))
    return [doc_id for doc_id in ids if shard_of(doc_id, SHARDS) == 0][:count]


def test_bitsets_find_what_whoosh_finds_deleted_documents_left_out(index, corpus_docs):
    index.rebuild(corpus_docs)
    # updates delete documents of the rebuilt segments and write a new segment
    index.add_or_update([dict(doc, body=doc["body"] + "义诊") for doc in corpus_docs[:30]])
    index.delete([doc["id"] for doc in corpus_docs[40:50]])
    searcher = index._searcher()
    bitsets = Bitsets()
    for text in ("义诊 讲座", "高血压", "xueya", "高", "垃圾分类 志愿者 活动", "没有这个词"):
        query_plan = plan.build_plan(searcher.reader(), text)
        queries = [
            *query_plan.concept_leads,
            *query_plan.concepts,
            *query_plan.optional,
            query_plan.title_match,
            query_plan.exact_title,
            ranking._lead(query_plan, 1, True),
            ranking._lead(query_plan, query_plan.min_match, False),
        ]
        for leaf, _offset in searcher.leaf_searchers():
            for query in filter(None, queries):
                expected = list(query.matcher(leaf, leaf.boolean_context()).all_ids())
                assert docnums(bitsets.of(query, leaf)) == expected, (text, query)


def test_a_bit_walk_visits_the_documents_of_a_bitset_in_order():
    docnums = [0, 3, 64, 65, 130, 9_999]
    bits = sum(1 << docnum for docnum in docnums)
    walk = BitWalk(bits)
    walk.skip_to(0)
    assert walk.id() == 0
    walk.skip_to(4)
    assert walk.id() == 64
    walk.skip_to(2)  # never backwards
    assert walk.id() == 64
    walk.next()
    assert walk.id() == 65
    walk.skip_to(131)
    assert walk.id() == 9_999
    walk.next()
    assert not walk.is_active()
    walk.skip_to(5)
    assert not walk.is_active()
    assert not BitWalk(0).is_active()


def test_postings_skip_to_the_first_document_at_or_after_the_target(index, make_doc):
    # 400 documents: postings over several blocks of 128
    index.add_or_update([make_doc(n, body="义诊" if n % 3 else "讲座") for n in range(400)])
    searcher = index._searcher()
    for leaf, _offset in searcher.leaf_searchers():
        reader = leaf.reader()
        every = list(reader.postings("text", "义诊").all_ids())
        assert len(every) > 128
        for step in (1, 2, 7, 130, 300):
            matcher = reader.postings("text", "义诊")
            assert isinstance(matcher, LeafMatcher)
            for target in range(0, reader.doc_count_all() + 10, step):
                matcher.skip_to(target)
                later = [docnum for docnum in every if docnum >= target]
                if not later:
                    assert not matcher.is_active()
                    break
                assert matcher.id() == later[0]


def test_optional_words_add_to_the_score_of_every_match(tmp_path, make_doc):
    """``服务`` is in most documents: an optional word of ``义诊 服务``.  Two articles
    alike score alike, also the one the article filter reaches by skipping past
    another article that has only the optional word (Whoosh's AndMaybe left the
    optional word behind on such a skip, and the score without it)."""
    activity, service_only, first, second, *others = ids_in_one_shard("activity:S", 34)
    when = NOW + timedelta(days=3)
    article = {"type": "article", "date": when, "url": "/a/"}
    docs = [
        make_doc(1, id=activity, title="义诊活动", body="医生义诊，服务居民。", date=when),
        make_doc(2, id=service_only, title="服务须知", body="服务居民。", **article),
        make_doc(3, id=first, title="社区义诊", body="医生义诊，服务居民。", **article),
        make_doc(4, id=second, title="社区义诊", body="医生义诊，服务居民。", **article),
        *(
            make_doc(10 + n, id=doc_id, title="书法练习", body="老师服务居民。", date=when)
            for n, doc_id in enumerate(others)
        ),
    ]
    index = SearchIndex(tmp_path / "optional")
    try:
        index.rebuild(docs)
        scores = {hit.id: hit.score for hit in index.query("义诊 服务", now=NOW).hits}
        assert scores[first] == scores[second]
    finally:
        index.close()


def test_field_lengths_from_memory_are_whooshs(index, corpus_docs):
    index.rebuild(corpus_docs)
    # the last documents of the new segment have no Han title: no pinyin, no bigrams
    latin_titles = [dict(doc, title=f"Yoga {n}") for n, doc in enumerate(corpus_docs[20:23])]
    index.add_or_update(
        [dict(doc, body=doc["body"] * 3) for doc in corpus_docs[:20]] + latin_titles
    )
    lengths = FieldLengths()
    for leaf, _offset in index._searcher().leaf_searchers():
        reader = leaf.reader()
        for field in ("text", "title", "title_grams", "title_pinyin", "title_initials"):
            kept = lengths.of(reader, field)
            for docnum in range(reader.doc_count_all()):
                assert (byte_to_length(kept[docnum]) or None) == (
                    reader.doc_field_length(docnum, field) or None
                )
        assert lengths.of(reader, "title_key") is None  # an ID keeps no lengths


SCORED_QUESTIONS = (
    "义诊 讲座",
    "高血压",
    "量血压",
    "xueya",
    "gaoxueya 讲座",
    "fxw",
    "高",
    "防诈骗",
    "垃圾分类 志愿者 活动",
    "志愿服务 老人",
    "流感疫苗在哪里打",
    "高血压：冬季控压的六个要点",
)


def test_scores_read_from_the_postings_are_whooshs(index, corpus_docs):
    """Every scored query of a plan, at every document it matches, scores exactly what
    Whoosh's matcher scores (the same tree: the same floating-point sums)."""
    index.rebuild(corpus_docs)
    index.add_or_update([dict(doc, body=doc["body"] + "义诊") for doc in corpus_docs[:30]])
    index.delete([doc["id"] for doc in corpus_docs[40:50]])
    searcher = index._searcher()
    bitsets, lengths, compared = Bitsets(), FieldLengths(), 0
    for text in SCORED_QUESTIONS:
        query_plan = plan.build_plan(searcher.reader(), text)
        queries = [
            *query_plan.concepts,
            *query_plan.optional,
            query_plan.title_match,
            query_plan.exact_title,
        ]
        for leaf, _offset in searcher.leaf_searchers():
            for query in filter(None, queries):
                matched = docnums(bitsets.of(query, leaf))
                scorer = compile_scorer(
                    query.matcher(leaf, searcher.context()), leaf.reader(), lengths
                )
                whooshs = query.matcher(leaf, searcher.context())
                for docnum in matched:
                    whooshs.skip_to(docnum)
                    assert whooshs.id() == docnum
                    assert scorer(docnum) == whooshs.score(), (text, query, docnum)
                    compared += 1
    assert compared > 500


def test_a_scorer_does_not_match_documents_its_query_does_not(index, corpus_docs):
    index.rebuild(corpus_docs)
    searcher = index._searcher()
    query_plan = plan.build_plan(searcher.reader(), "义诊 讲座")
    for leaf, _offset in searcher.leaf_searchers():
        for query in query_plan.concepts:
            matched = set(docnums(Bitsets().of(query, leaf)))
            scorer = compile_scorer(
                query.matcher(leaf, searcher.context()), leaf.reader(), FieldLengths()
            )
            scores = [scorer(docnum) for docnum in range(leaf.reader().doc_count_all())]
            assert {docnum for docnum, score in enumerate(scores) if score is not None} == matched


def test_postings_give_the_weight_of_a_document_or_none(index, make_doc):
    # 400 documents over several blocks of 128; the word twice in every fifth
    index.add_or_update(
        [
            make_doc(n, body="义诊" * (2 if n % 5 == 0 else 1) if n % 3 else "讲座")
            for n in range(400)
        ]
    )
    searcher = index._searcher()
    for leaf, _offset in searcher.leaf_searchers():
        reader = leaf.reader()
        weights = dict(reader.postings("text", "义诊").items_as("weight"))
        assert len(weights) > 128 and set(weights.values()) == {1.0, 2.0}
        for step in (1, 2, 7, 130):
            matcher = reader.postings("text", "义诊")
            assert isinstance(matcher, LeafMatcher)
            for docnum in range(0, reader.doc_count_all() + 10, step):
                assert matcher.weight_at(docnum) == weights.get(docnum)
