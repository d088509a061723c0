"""Official service areas (ODbL data, see areas/data/README.md)."""

from typing import ClassVar

from sqlalchemy import Table
from sqlmodel import Field, SQLModel


class ServiceArea(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "service_area"

    code: str = Field(primary_key=True, max_length=20)
    level: str = Field(max_length=12)  # regency | district | desa | kelurahan
    parent_code: str = Field(max_length=20, index=True)
    name: str = Field(max_length=80)
    kecamatan_code: str | None = Field(default=None, max_length=20, index=True)
