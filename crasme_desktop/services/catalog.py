"""Products and services that can be put on quotes and invoices.

A product's price is kept in minor units of its currency; lines copy the product's
values when it is chosen, so changing or archiving a product never changes documents.
Lists come in name order (accent- and case-blind) and page by key: pass the last row
of a page as `after`.

Permissions (area "products", checked first in every public function): reading
products needs products.view, adding one products.create, changing its name, price or
tax rate products.edit. Products are never deleted, only archived (documents keep
their lines), so archiving one and bringing it back need products.delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select, tuple_

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import Product, TaxRate
from crasme_desktop.domain.money import bp_to_percent, from_minor, to_minor
from crasme_desktop.domain.validation import check_no_card_number, clean_text, sort_key
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault

PAGE = 500


@dataclass(frozen=True)
class ProductDraft:
    name: str
    unit_price: Decimal
    currency: str = "EUR"
    unit: str = ""
    description: str = ""
    tax_rate_id: str | None = None


@dataclass(frozen=True)
class ProductRow:
    id: str
    name: str
    sort_key: str
    description: str
    unit: str
    unit_price: Decimal
    currency: str
    tax_rate_id: str | None
    tax_rate_percent: Decimal | None
    archived: bool


def list_products(
    vault: Vault,
    text: str = "",
    *,
    include_archived: bool = False,
    after: ProductRow | None = None,
    limit: int = PAGE,
) -> list[ProductRow]:
    """Products by name; `text` keeps those whose name contains it (accent-blind)."""
    permissions.require(vault, "products.view")
    query = (
        select(Product, TaxRate.rate_bp)
        .outerjoin(TaxRate, TaxRate.id == Product.tax_rate_id)
        .order_by(Product.archived, Product.sort_key, Product.id)
        .limit(limit)
    )
    if not include_archived:
        query = query.where(Product.archived.is_(False))
    words = sort_key(text)
    if words:
        escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Product.sort_key.like(f"%{escaped}%", escape="\\"))
    if after is not None:
        query = query.where(
            tuple_(Product.archived, Product.sort_key, Product.id)
            > (after.archived, after.sort_key, after.id)
        )
    with vault.unit_of_work() as uow:
        return [_row(p, bp) for p, bp in uow.session.execute(query).all()]


def get_product(vault: Vault, product_id: str) -> ProductRow:
    permissions.require(vault, "products.view")
    with vault.unit_of_work() as uow:
        product = uow.session.get(Product, product_id)
        if product is None:
            raise UserError("That product no longer exists; it may have been deleted meanwhile.")
        rate = uow.session.get(TaxRate, product.tax_rate_id) if product.tax_rate_id else None
        return _row(product, rate.rate_bp if rate else None)


def save_product(vault: Vault, draft: ProductDraft, product_id: str | None = None) -> ProductRow:
    """Add a product, or change one (`product_id`)."""
    permissions.require(vault, "products.create" if product_id is None else "products.edit")
    name = clean_text(draft.name)
    if not name:
        raise UserError("Give the product a name.")
    if len(name) > 300:
        raise UserError("Keep the product's name under 300 characters.")
    check_no_card_number(name, "product's name")
    check_no_card_number(draft.description, "product's description")
    currency = rules.normalize_currency(draft.currency)
    price = rules.parse_decimal(draft.unit_price, "price")
    if price < 0:
        raise UserError("A product's price cannot be below zero; use a credit note to refund.")
    rules.check_price_digits(price, currency)
    unit = clean_text(draft.unit)
    if len(unit) > 30:
        raise UserError("Keep the unit short, such as “h”, “pcs” or “day”.")
    with vault.unit_of_work() as uow:
        s = uow.session
        rate = None
        if draft.tax_rate_id:
            rate = s.get(TaxRate, draft.tax_rate_id)
            if rate is None:
                raise UserError("That tax rate no longer exists; choose another one.")
        if product_id is None:
            product = Product(name=name, currency=currency)
            s.add(product)
        else:
            product = s.get(Product, product_id)
            if product is None:
                raise UserError("That product no longer exists; it may have been deleted.")
        product.name, product.sort_key = name, sort_key(name)
        product.description = draft.description.strip()
        product.unit, product.currency = unit, currency
        product.unit_price_minor = to_minor(price, currency)
        product.tax_rate_id = rate.id if rate else None
        s.flush()
        audit.add(s, "product.save", "product", product.id)
        return _row(product, rate.rate_bp if rate else None)


def archive_product(vault: Vault, product_id: str, archived: bool = True) -> ProductRow:
    """Hide a product from choosing (or bring it back); documents keep their lines."""
    permissions.require(vault, "products.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        product = s.get(Product, product_id)
        if product is None:
            raise UserError("That product no longer exists; it may have been deleted.")
        product.archived = archived
        s.flush()
        audit.add(s, "product.archive" if archived else "product.restore", "product", product.id)
        rate = s.get(TaxRate, product.tax_rate_id) if product.tax_rate_id else None
        return _row(product, rate.rate_bp if rate else None)


def _row(p: Product, rate_bp: int | None) -> ProductRow:
    return ProductRow(
        id=p.id,
        name=p.name,
        sort_key=p.sort_key,
        description=p.description,
        unit=p.unit,
        unit_price=from_minor(p.unit_price_minor, p.currency),
        currency=p.currency,
        tax_rate_id=p.tax_rate_id,
        tax_rate_percent=bp_to_percent(rate_bp) if rate_bp is not None else None,
        archived=p.archived,
    )
