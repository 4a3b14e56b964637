<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>{centre} digital city management monthly report, {month}</source>
        <translation>{centre} 数字城管月报 {month}</translation>
    </message>
    <message>
        <source>Nothing to rank this month</source>
        <translation>本月无可排名的对象</translation>
    </message>
    <message>
        <source>Reports received</source>
        <translation>上报受理数</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Rank</source>
        <translation>名次</translation>
    </message>
    <message>
        <source>Registered cases per km²</source>
        <translation>每平方公里立案数</translation>
    </message>
    <message>
        <source>not XML</source>
        <translation>不是 XML 文件</translation>
    </message>
    <message>
        <source>not a QGIS layout template</source>
        <translation>不是 QGIS 布局模板</translation>
    </message>
    <message>
        <source>(built in)</source>
        <translation>（内置版式）</translation>
    </message>
    <message>
        <source>Monthly report {month}</source>
        <translation>月报 {month}</translation>
    </message>
    <message>
        <source>Ranking: {objects}</source>
        <translation>排名：{objects}</translation>
    </message>
    <message>
        <source>Units: top {n} by score</source>
        <translation>专业部门综合得分前 {n} 名</translation>
    </message>
    <message>
        <source>the chart image could not be written</source>
        <translation>图表图像无法写入</translation>
    </message>
    <message>
        <source>Monthly report (PDF)</source>
        <translation>月报（PDF）</translation>
    </message>
    <message>
        <source>The centre's monthly report as a PDF: totals (reports received, registered, closures due, closed, closed on time, closure rate, on-time closure rate), the grid map, the rankings of units, streets and collectors and a chart. MONTH is YYYY-MM. A template (.qpt, or the setting citygrid/report_template) replaces the layout; its items are found by id.</source>
        <translation>中心月报 PDF：总量（上报受理数、立案数、应结案数、结案数、按期结案数、结案率、按期结案率）、网格专题图、专业部门、街道和监督员排名及图表。MONTH 格式为 YYYY-MM。模板（.qpt，或设置项 citygrid/report_template）可替换版式，按项目 ID 填充。</translation>
    </message>
    <message>
        <source>Month (YYYY-MM)</source>
        <translation>月份（YYYY-MM）</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Layout template (.qpt)</source>
        <translation>版式模板 (.qpt)</translation>
    </message>
    <message>
        <source>{pages} pages written to {path}</source>
        <translation>已写入 {pages} 页：{path}</translation>
    </message>
    <message>
        <source>Monthly report PDF…</source>
        <translation>月报 PDF…</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>计算中…</translation>
    </message>
    <message>
        <source>Save the monthly report</source>
        <translation>保存月报</translation>
    </message>
    <message>
        <source>Choose a month for the monthly report</source>
        <translation>请选择月报的月份</translation>
    </message>
    <message>
        <source>Monthly report of {month}</source>
        <translation>{month} 月报</translation>
    </message>
    <message>
        <source>Monthly report written: {path}</source>
        <translation>月报已生成：{path}</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>The monthly report failed: {reason}</source>
        <translation>月报生成失败：{reason}</translation>
    </message>
</context>
</TS>
