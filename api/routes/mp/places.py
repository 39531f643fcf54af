"""Where a mini-program report is: the point given, else the address words, else a photo's GPS position."""

from __future__ import annotations

from typing import Literal

from fastapi import HTTPException
from pydantic import BaseModel, Field

from cases.drafts import StoredPhoto
from cases.vocabulary import Place
from geo import GeoService, InvalidCoordinate, PointLocation, UnknownCrsError


class LocationOut(BaseModel):
    lat: float = Field(description="GCJ-02")
    lng: float = Field(description="GCJ-02")
    address: str
    grid_id: str
    grid_name: str
    community: str
    street: str
    source: Literal["point", "address", "photo"] = Field(description="来自所给坐标、地址，或照片中的拍摄位置")

    @property
    def place(self) -> Place:
        return Place(grid_id=self.grid_id, grid_name=self.grid_name, community=self.community, street=self.street,
                     address=self.address, lat=self.lat, lng=self.lng)


def locate(geo: GeoService, lat: float | None, lng: float | None, crs: str | None, address: str | None,
           stored: list[StoredPhoto]) -> LocationOut:
    if lat is not None and lng is not None and crs:
        try:
            found = geo.locate_point(lat, lng, crs=crs)
        except (InvalidCoordinate, UnknownCrsError):
            raise HTTPException(422, "坐标无效，请重新选择位置") from None
        return _point(found, address or "", "point")
    if address and address.strip():
        candidates = geo.locate_text(address.strip())
        best = next((c for c in candidates if c.grid_id), None)
        if best is None or best.grid_id is None:
            raise HTTPException(422, "没有找到这个地址，请在地图上选一下位置")
        return LocationOut(lat=best.lat, lng=best.lng, address=address.strip(), grid_id=best.grid_id,
                           grid_name=best.grid_name, community=best.community, street=best.street,
                           source="address")
    for photo in stored:
        if photo.gps is not None:
            found = geo.locate_point(photo.gps[0], photo.gps[1], crs="wgs84")
            if found.grid_id is not None:
                return _point(found, f"{found.grid_name}附近（照片拍摄位置）", "photo")
    raise HTTPException(422, "请告诉我们问题发生的位置：在地图上选点，或填写地址")


def _point(found: PointLocation, address: str, source: Literal["point", "photo"]) -> LocationOut:
    if found.grid_id is None:
        raise HTTPException(422, "这个位置不在本区服务范围内，请确认后重新选择")
    return LocationOut(lat=found.lat, lng=found.lng, address=address or f"{found.grid_name}附近",
                       grid_id=found.grid_id, grid_name=found.grid_name, community=found.community,
                       street=found.street, source=source)
