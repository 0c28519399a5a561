"""models.extraction against its spec, the corpus of workers' messages (tests/data/messages.toml):
every field the corpus names is read with its value, every field it marks unsure is asked
(never guessed), an unclear kind offers the likely kinds, and a message that states
everything goes straight to the card."""
from __future__ import annotations

import datetime as dt

import pytest

from bench.extract_accuracy import corpus, kind_fields, problems
from models.extraction import answers_of, extract, missing

TODAY, MESSAGES = corpus()
FIELDS = kind_fields()


def test_the_corpus_is_large_and_covers_every_kind_and_line():
    assert len(MESSAGES) >= 150
    kinds = {m.get("kind") for m in MESSAGES}
    assert {"activity", "xinfeng", "placename", "donation", "milestone"} <= kinds
    lines = {m["expect"].get("action_line") for m in MESSAGES if "expect" in m}
    assert {"assistance", "elderly", "children", "mental", "neighbours", "rural", "ethnic"} <= lines
    assert sum(m["text"].isascii() for m in MESSAGES) >= 15  # English ones too


@pytest.mark.parametrize("m", MESSAGES, ids=[m["text"][:24] for m in MESSAGES])
def test_each_message_reads_as_the_corpus_says(m):
    assert problems(m, extract(m["text"], today=TODAY), FIELDS) == []


def test_a_hedged_count_keeps_its_phrase_and_is_marked_approximate():
    got = extract("昨天在胜利社区开展防溺水宣传，服务群众三十余人", today=TODAY)
    found = got.values["participants"]
    assert (found.value, found.source, found.approximate) == (30, "三十余人", True)
    exact = extract("昨天在胜利社区开展防溺水宣传，服务群众30人", today=TODAY).values["participants"]
    assert (exact.value, exact.approximate) == (30, False)


def test_two_dates_are_asked_with_both_candidates():
    got = extract("12月3日和12月5日在光明社区开展儿童安全讲座，参加学生90人", today=TODAY)
    assert "date" not in got.values
    assert [f.value for f in got.unsure["date"]] == ["2026-12-03", "2026-12-05"]


def test_a_date_to_come_is_asked_not_moved_to_last_year():
    got = extract("12月28日在和平社区开展儿童安全宣传，参加儿童30人", today=TODAY)
    assert "date" not in got.values and "date" in got.unsure


def test_the_date_is_read_against_the_day_given():
    got = extract("上周六在阳光社区开展留守儿童托管服务，参加儿童25人", today=dt.date(2026, 12, 14))
    assert got.values["date"].value == "2026-12-12"


def test_a_message_with_no_kind_reads_nothing():
    got = extract("收到，谢谢", today=TODAY)
    assert (got.kind, got.kinds, got.values) == (None, [], {})


def test_missing_names_only_what_the_text_left_open():
    got = extract("幸福社区在社区活动室开展老年人健康讲座，参加老人35人", today=TODAY)
    # the date, and the elderly visited (004), which the text does not state
    assert missing(FIELDS["activity"], answers_of(got)) == ["date", "elderly_visited"]
    # a community that is only the venue is no party: the five forces are asked too
    venue = extract("在幸福社区开展老年人健康讲座，参加老人35人", today=TODAY)
    assert missing(FIELDS["activity"], answers_of(venue)) == ["date", "elderly_visited", "parties"]
    donation = extract("昨天居民张先生向幸福社区基金捐款5000元", today=TODAY)
    assert missing(FIELDS["donation"], answers_of(donation)) == []  # goods fields not asked


def test_the_phrases_are_data(tmp_path):
    from models.extraction import phrases
    data = phrases()
    custom = {**data, "lines": {**data["lines"], "elderly": ["夕阳"]}}
    got = extract("昨天在和平社区开展夕阳活动，参加30人", today=TODAY, data=custom)
    assert got.values["action_line"].value == "elderly"
    assert "action_line" not in extract("昨天在和平社区开展夕阳活动，参加30人", today=TODAY).values


def test_minors_and_the_elderly_visited_are_read_only_when_a_count_is_said_to_be_of_them():
    kids = extract("昨天在胜利社区开展防溺水宣传，未成年人30人参加", today=TODAY).values
    assert (kids["minors"].value, kids["minors"].source) == (30, "30人")
    visited = extract("前天在学府社区看望了12位空巢老人", today=TODAY).values
    assert visited["elderly_visited"].value == 12
    # the audience is not assumed to be the minors, nor a lecture's elderly to be visits
    assert "minors" not in extract("昨天在胜利社区开展未成年人防溺水宣传，服务群众30人",
                                   today=TODAY).values
    lecture = extract("昨天在和平社区开展老年人健康讲座，参加老人60人", today=TODAY)
    assert "elderly_visited" not in lecture.values and "elderly_visited" not in lecture.unsure


def test_a_count_of_two_groups_together_is_not_taken_for_one_of_them():
    both = extract("昨天在城南社区开展儿童关爱服务，家长和孩子共40人参加", today=TODAY)
    assert both.values["participants"].value == 40 and "minors" not in both.values
    two = extract("昨天在城南社区开展儿童关爱服务，儿童20人，儿童家属15人", today=TODAY)
    assert two.values["minors"].value == 20 and "participants" in two.unsure


def test_yi_lao_yi_xiao_names_two_lines_and_counts_nobody():
    got = extract("昨天在幸福社区开展一老一小关爱活动，参加居民50人", today=TODAY)
    assert [f.value for f in got.unsure["action_line"]] == ["elderly", "children"]
    assert got.values["participants"].value == 50
    assert not {"minors", "elderly_visited"} & (set(got.values) | set(got.unsure))


def test_a_count_that_names_no_number_is_asked_not_read_as_ten():
    for vague in ("几十人", "数十人"):
        got = extract(f"昨天在和平社区开展敬老服务，服务老人{vague}", today=TODAY)
        assert "participants" not in got.values, vague
    hedged = extract("昨天在和平社区开展敬老服务，来了三十几个老人", today=TODAY).values
    assert (hedged["participants"].value, hedged["participants"].approximate) == (30, True)


def test_last_months_day_is_read_across_the_new_year():
    got = extract("上个月28号在锦绣社区开展了敬老活动", today=dt.date(2027, 1, 5))
    assert got.values["date"].value == "2026-12-28"
    assert "date" in extract("上月31号在锦绣社区开展了敬老活动", today=TODAY).unsure
