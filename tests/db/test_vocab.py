"""The vocabularies (db/vocab.py): every value has a word for people, and the data agrees."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlmodel import Session, select

from complaints.workflow import TRANSITIONS
from core.texts import LANGUAGES, label
from db.models import Complaint, Notice, Push, ResponseTarget
from db.vocab import (
    Channel,
    ComplaintCategory,
    ComplaintStatus,
    MessageStatus,
    NoticeKind,
    NoticeStatus,
    PushStatus,
)

SECTIONS: dict[str, type[StrEnum]] = {
    "channel": Channel,
    "complaint_category": ComplaintCategory,
    "complaint_status": ComplaintStatus,
    "message_status": MessageStatus,
    "notice_kind": NoticeKind,
    "notice_status": NoticeStatus,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("section", SECTIONS)
def test_every_value_has_a_word_in_every_language(section, language):
    missing = [m.value for m in SECTIONS[section] if label(language, section, m) == m.value]
    assert missing == [], f"[{section}] has no {language} word for {missing}"


def test_members_are_the_plain_strings_the_database_keeps():
    assert ComplaintStatus.IN_PROGRESS == "in_progress"
    assert f"{NoticeKind.LOW_PRESSURE}" == "low_pressure"
    assert {"pending": 1}[MessageStatus.PENDING] == 1


def test_table_defaults_are_vocabulary_values():
    assert Complaint.model_fields["status"].default in set(ComplaintStatus)
    assert Notice.model_fields["status"].default in set(NoticeStatus)
    assert Push.model_fields["status"].default in set(PushStatus)


def test_every_status_has_its_transitions_and_every_category_a_target(engine):
    assert set(TRANSITIONS) == set(ComplaintStatus)
    with Session(engine) as session:
        categories = set(session.scalars(select(ResponseTarget.category)))
    assert categories == set(ComplaintCategory), "reference data has a target per category"
