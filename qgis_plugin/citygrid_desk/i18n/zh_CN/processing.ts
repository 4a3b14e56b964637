<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Centre GeoPackage</source>
        <translation>中心 GeoPackage</translation>
    </message>
    <message>
        <source>Assign unit grids (BGID)</source>
        <translation>赋单元网格编码（BGID）</translation>
    </message>
    <message>
        <source>Sets the BGID field of every point to the code of the centre's unit grid that covers it (the lowest code on a shared edge). Points outside every grid, or without a geometry, get NULL; the log gives their number. A layer in another CRS is transformed to the centre's CRS for the lookup; the output keeps the layer's CRS and fields.</source>
        <translation>把每个点的 BGID 字段设为覆盖它的中心单元网格编码（落在公共边上时取编码最小者）。不在任何网格内或没有几何的点为 NULL，日志给出其数量。其他坐标系的图层先转换到中心坐标系再查找；输出保留图层原有的坐标系和字段。</translation>
    </message>
    <message>
        <source>Component points</source>
        <translation>部件点图层</translation>
    </message>
    <message>
        <source>Components with BGID</source>
        <translation>带 BGID 的部件</translation>
    </message>
    <message>
        <source>Points outside every grid</source>
        <translation>不在任何网格内的点数</translation>
    </message>
    <message>
        <source>{total} points placed in unit grids</source>
        <translation>{total} 个点已落入单元网格</translation>
    </message>
    <message>
        <source>{outside} of {total} points are outside every unit grid (or have no point): their BGID is NULL</source>
        <translation>{total} 个点中有 {outside} 个不在任何单元网格内（或没有点位）：其 BGID 为 NULL</translation>
    </message>
    <message>
        <source>Evaluate (indicators, scores, grades)</source>
        <translation>综合评价（指标、得分、等级）</translation>
    </message>
    <message>
        <source>The centre's evaluation of one object type over a period, one row per object: counts, rates (fractions, NULL when nothing was due), composite score, grade and colour, named as the core names them. Period: a year (2026), a month (2026-10), a day (2026-10-07) or FROM/TO (2026-10-01/2026-11-01, the end excluded), in the centre's time zone.</source>
        <translation>按时段对一类评价对象做综合评价，每个对象一行：各项计数、比率（小数，无应办事项时为 NULL）、综合得分、等级和颜色，列名与核心一致。时段：年份（2026）、月份（2026-10）、日期（2026-10-07）或 起/止（2026-10-01/2026-11-01，不含止日），按中心所在时区。</translation>
    </message>
    <message>
        <source>by unit</source>
        <translation>按专业部门</translation>
    </message>
    <message>
        <source>by street</source>
        <translation>按街道</translation>
    </message>
    <message>
        <source>by community</source>
        <translation>按社区</translation>
    </message>
    <message>
        <source>by unit grid</source>
        <translation>按单元网格</translation>
    </message>
    <message>
        <source>by collector</source>
        <translation>按监督员</translation>
    </message>
    <message>
        <source>by centre post (operators, shift leaders, dispatchers)</source>
        <translation>按中心岗位（受理员、值班长、派遣员）</translation>
    </message>
    <message>
        <source>Evaluation period</source>
        <translation>评价时段</translation>
    </message>
    <message>
        <source>Object type</source>
        <translation>评价对象</translation>
    </message>
    <message>
        <source>Evaluation</source>
        <translation>评价结果</translation>
    </message>
    <message>
        <source>{count} objects evaluated</source>
        <translation>已评价 {count} 个对象</translation>
    </message>
    <message>
        <source>No case events in {period}: every count is zero</source>
        <translation>{period} 内没有案件事件：各项计数均为零</translation>
    </message>
    <message>
        <source>Export a collector's offline basemap (MBTiles)</source>
        <translation>导出监督员离线底图（MBTiles）</translation>
    </message>
    <message>
        <source>Renders the centre's basemap (blocks, water, roads) and the unit grid outlines over the collector's grids plus a margin into XYZ tiles, from zoom 12 to the maximum zoom, as one MBTiles file for the field app.</source>
        <translation>将中心底图（街区、水系、道路）和单元网格边界，按监督员负责网格的范围外加边距，渲染为从 12 级到最大级别的 XYZ 瓦片，存为一个供外业应用使用的 MBTiles 文件。</translation>
    </message>
    <message>
        <source>Collector (user name)</source>
        <translation>监督员（用户名）</translation>
    </message>
    <message>
        <source>Maximum zoom</source>
        <translation>最大缩放级别</translation>
    </message>
    <message>
        <source>Offline basemap</source>
        <translation>离线底图</translation>
    </message>
    <message>
        <source>MBTiles (*.mbtiles)</source>
        <translation>MBTiles (*.mbtiles)</translation>
    </message>
    <message>
        <source>{tiles} tiles written to {path}</source>
        <translation>已写入 {tiles} 个瓦片到 {path}</translation>
    </message>
    <message>
        <source>citygrid digital city management</source>
        <translation>数字城管</translation>
    </message>
    <message>
        <source>Offline basemap of {collector}</source>
        <translation>{collector} 的离线底图</translation>
    </message>
</context>
</TS>
