"""Staff members on a real vault: names unique without regard to case, checked emails,
working days and hours, absences merged or refused, who is off on a day and why, "me"
by the computer account, and deleting someone who has work (made inactive instead)."""

from __future__ import annotations

from datetime import date

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Holiday, Ticket
from crasme_desktop.services import audit, staff
from crasme_desktop.services.staff import StaffDraft
from tests.support.sentences import assert_one_sentence

MONDAY = date(2026, 12, 14)


def refused(call, *args, match, **kwargs):
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value.message


@pytest.fixture
def maria(vault):
    return staff.create_staff(vault, StaffDraft("Maria Rossi", email="Maria@Example.COM",
                                                phone="+49 30 1234567", colour="#3B82F6"))


def test_a_member_is_kept_as_typed_and_checked(vault, maria):
    assert maria.name == "Maria Rossi"
    assert maria.email == "Maria@example.com"
    assert maria.phone == "+49301234567"
    assert maria.colour == "#3b82f6"
    assert (maria.work_days, maria.day_start, maria.day_end) == ("1111100", "08:00", "17:00")
    assert staff.get_staff(vault, maria.id) == maria
    assert [m.name for m in staff.list_staff(vault)] == ["Maria Rossi"]


def test_names_are_unique_without_regard_to_case_or_accents(vault, maria):
    refused(staff.create_staff, vault, StaffDraft("maria ROSSI"),
            match="already a staff member called “Maria Rossi”")
    staff.create_staff(vault, StaffDraft("Émile Zola"))
    refused(staff.create_staff, vault, StaffDraft("emile zola"), match="Émile Zola")
    # Renaming oneself in another case is fine.
    assert staff.update_staff(vault, maria.id, StaffDraft("MARIA Rossi")).name == "MARIA Rossi"


@pytest.mark.parametrize(("draft", "match"), [
    (StaffDraft(""), "Give the staff member a name"),
    (StaffDraft("Tom", email="tom@"), "email address"),
    (StaffDraft("Tom", work_days="11111"), "seven 1s and 0s"),
    (StaffDraft("Tom", work_days="11x1100"), "seven 1s and 0s"),
    (StaffDraft("Tom", work_days="0000000"), "at least one working day"),
    (StaffDraft("Tom", day_start="25:00"), "is not a time"),
    (StaffDraft("Tom", day_end="5pm"), "is not a time"),
    (StaffDraft("Tom", day_start="17:00", day_end="08:00"), "ends before it starts"),
    (StaffDraft("Tom", colour="blue"), "not a colour code"),
    (StaffDraft("Tom", phone="12"), "phone number"),
])
def test_bad_input_is_refused_in_one_sentence(vault, draft, match):
    refused(staff.create_staff, vault, draft, match=match)
    assert staff.list_staff(vault, include_inactive=True) == []


def test_absences_that_touch_with_the_same_reason_are_merged(vault, maria):
    staff.add_absence(vault, maria.id, date(2026, 12, 14), date(2026, 12, 16), "holiday")
    merged = staff.add_absence(vault, maria.id, "2026-12-17", "2026-12-18", "Holiday")
    assert (merged.first_day, merged.last_day) == (date(2026, 12, 14), date(2026, 12, 18))
    staff.add_absence(vault, maria.id, date(2026, 12, 10), date(2026, 12, 15), "holiday")
    [only] = staff.list_absences(vault, maria.id)
    assert (only.first_day, only.last_day) == (date(2026, 12, 10), date(2026, 12, 18))


def test_an_absence_overlapping_another_reason_is_refused(vault, maria):
    staff.add_absence(vault, maria.id, date(2026, 12, 14), date(2026, 12, 18), "holiday")
    message = refused(staff.add_absence, vault, maria.id, date(2026, 12, 18),
                      date(2026, 12, 19), "sick", match="already off")
    assert "Monday 14 December to Friday 18 December (holiday)" in message
    refused(staff.add_absence, vault, maria.id, date(2026, 12, 20), date(2026, 12, 19),
            match="ends before it starts")
    refused(staff.add_absence, vault, maria.id, "14.12.2026", "2026-12-19",
            match="is not a date")
    # Touching (not overlapping) with another reason is two absences.
    staff.add_absence(vault, maria.id, date(2026, 12, 19), date(2026, 12, 20), "sick")
    assert len(staff.list_absences(vault, maria.id)) == 2


def test_who_is_off_and_why(vault, maria):
    staff.add_absence(vault, maria.id, MONDAY, MONDAY, "training")
    with vault.unit_of_work() as uow:
        uow.session.add(Holiday(day=date(2026, 12, 25), name="Christmas Day"))
    assert staff.is_off(vault, maria.id, MONDAY) == "training"
    assert staff.is_off(vault, maria.id, date(2026, 12, 15)) is None
    assert staff.is_off(vault, maria.id, date(2026, 12, 19)) == staff.NOT_A_WORK_DAY
    with vault.unit_of_work() as uow:
        assert staff.is_off(uow.session, maria.id, date(2026, 12, 25)) == "Christmas Day"
    weekend = staff.create_staff(vault, StaffDraft("Tomasz Nowak", work_days="0000011"))
    assert staff.is_off(vault, weekend.id, date(2026, 12, 19)) is None
    assert staff.is_off(vault, weekend.id, MONDAY) == staff.NOT_A_WORK_DAY
    staff.set_active(vault, weekend.id, False)
    assert staff.is_off(vault, weekend.id, date(2026, 12, 19)) == staff.INACTIVE


def test_removing_an_absence(vault, maria):
    absence = staff.add_absence(vault, maria.id, MONDAY, MONDAY, "training")
    staff.remove_absence(vault, absence.id)
    assert staff.is_off(vault, maria.id, MONDAY) is None
    refused(staff.remove_absence, vault, absence.id, match="no longer exists")


def test_my_account_finds_me(vault, maria):
    assert staff.current_staff(vault) is None
    me = staff.update_staff(vault, maria.id,
                            StaffDraft(**{**maria.draft().__dict__,
                                          "os_user": audit.current_actor()}))
    assert staff.current_staff(vault) == me
    refused(staff.create_staff, vault, StaffDraft("Other", os_user=audit.current_actor()),
            match="already belongs to Maria Rossi")
    staff.set_active(vault, maria.id, False)
    assert staff.current_staff(vault) is None


def test_deleting_someone_without_work_deletes_them(vault, maria):
    staff.add_absence(vault, maria.id, MONDAY, MONDAY, "training")
    removal = staff.delete_staff(vault, maria.id)
    assert removal.deleted
    assert staff.list_staff(vault, include_inactive=True) == []
    assert staff.list_absences(vault) == []
    refused(staff.get_staff, vault, maria.id, match="no longer exists")


def test_deleting_someone_with_tickets_makes_them_inactive(vault, maria):
    with vault.unit_of_work() as uow:
        uow.session.add(Ticket(number=1, subject="Leak", assignee_id=maria.id))
    removal = staff.delete_staff(vault, maria.id)
    assert not removal.deleted
    assert_one_sentence(removal.message)
    assert "1 ticket" in removal.message and "inactive" in removal.message
    assert staff.list_staff(vault) == []
    assert not staff.get_staff(vault, maria.id).active
