<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>citygrid</source>
        <translation>数字城管</translation>
    </message>
    <message>
        <source>Open centre…</source>
        <translation>打开中心…</translation>
    </message>
    <message>
        <source>Open centre</source>
        <translation>打开中心</translation>
    </message>
    <message>
        <source>Centre GeoPackage (*.gpkg)</source>
        <translation>中心 GeoPackage (*.gpkg)</translation>
    </message>
    <message>
        <source>citygrid centre: {name}</source>
        <translation>数字城管中心：{name}</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
</TS>
