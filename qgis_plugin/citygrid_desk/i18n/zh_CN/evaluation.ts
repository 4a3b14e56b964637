<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Comprehensive evaluation</source>
        <translation>综合评价</translation>
    </message>
    <message>
        <source>Select a row for its trend</source>
        <translation>选择一行查看月度趋势</translation>
    </message>
    <message>
        <source>Top {n} by score</source>
        <translation>综合得分前 {n} 名</translation>
    </message>
    <message>
        <source>Grid map</source>
        <translation>网格专题图</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Custom period</source>
        <translation>自定义时段</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>时段：</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>to (excluded)</source>
        <translation>至（不含）</translation>
    </message>
    <message>
        <source>Evaluate:</source>
        <translation>评价对象：</translation>
    </message>
    <message>
        <source>{name}: score by month</source>
        <translation>{name}：逐月综合得分</translation>
    </message>
    <message>
        <source>{count} objects, computed in {ms} ms</source>
        <translation>{count} 个对象，用时 {ms} 毫秒</translation>
    </message>
    <message>
        <source>{count} rows written to {path}</source>
        <translation>已将 {count} 行写入 {path}</translation>
    </message>
    <message>
        <source>Evaluation: grids</source>
        <translation>评价：网格</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>专业部门</translation>
    </message>
    <message>
        <source>Streets</source>
        <translation>街道</translation>
    </message>
    <message>
        <source>Communities</source>
        <translation>社区</translation>
    </message>
    <message>
        <source>Collectors</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Centre posts (operators, shift leaders, dispatchers)</source>
        <translation>中心岗位（受理员、值班长、派遣员）</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Post</source>
        <translation>岗位</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>综合得分</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <source>Registered</source>
        <translation>立案数</translation>
    </message>
    <message>
        <source>Public reports registered</source>
        <translation>公众举报立案数</translation>
    </message>
    <message>
        <source>Closures due</source>
        <translation>应结案数</translation>
    </message>
    <message>
        <source>Closed on time</source>
        <translation>按期结案数</translation>
    </message>
    <message>
        <source>Disposals due</source>
        <translation>应处置数</translation>
    </message>
    <message>
        <source>Disposed</source>
        <translation>处置数</translation>
    </message>
    <message>
        <source>Disposed on time</source>
        <translation>按期处置数</translation>
    </message>
    <message>
        <source>Reworked</source>
        <translation>返工数</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>上报数</translation>
    </message>
    <message>
        <source>Reports decided</source>
        <translation>已判定上报数</translation>
    </message>
    <message>
        <source>Valid reports</source>
        <translation>有效上报数</translation>
    </message>
    <message>
        <source>Registered in own grids</source>
        <translation>责任网格立案数</translation>
    </message>
    <message>
        <source>Public reports in own grids</source>
        <translation>责任网格公众举报数</translation>
    </message>
    <message>
        <source>Verifications due</source>
        <translation>应核实数</translation>
    </message>
    <message>
        <source>Verified</source>
        <translation>核实数</translation>
    </message>
    <message>
        <source>Verified on time</source>
        <translation>按期核实数</translation>
    </message>
    <message>
        <source>Checks due</source>
        <translation>应核查数</translation>
    </message>
    <message>
        <source>Checked</source>
        <translation>核查数</translation>
    </message>
    <message>
        <source>Checked on time</source>
        <translation>按期核查数</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>受理数</translation>
    </message>
    <message>
        <source>Verify tasks due</source>
        <translation>应派核实数</translation>
    </message>
    <message>
        <source>Verify tasks sent</source>
        <translation>派发核实数</translation>
    </message>
    <message>
        <source>Verify tasks on time</source>
        <translation>按时派发核实数</translation>
    </message>
    <message>
        <source>Check tasks due</source>
        <translation>应派核查数</translation>
    </message>
    <message>
        <source>Check tasks sent</source>
        <translation>派发核查数</translation>
    </message>
    <message>
        <source>Check tasks on time</source>
        <translation>按时派发核查数</translation>
    </message>
    <message>
        <source>Registrations due</source>
        <translation>应立案判定数</translation>
    </message>
    <message>
        <source>Registrations made</source>
        <translation>立案判定数</translation>
    </message>
    <message>
        <source>Registered on time</source>
        <translation>按期立案数</translation>
    </message>
    <message>
        <source>Registered accurately</source>
        <translation>准确立案数</translation>
    </message>
    <message>
        <source>Closings due</source>
        <translation>应结案判定数</translation>
    </message>
    <message>
        <source>Closings made</source>
        <translation>结案判定数</translation>
    </message>
    <message>
        <source>Closings on time</source>
        <translation>按期结案判定数</translation>
    </message>
    <message>
        <source>Dispatched</source>
        <translation>派遣数</translation>
    </message>
    <message>
        <source>Dispatched accurately</source>
        <translation>准确派遣数</translation>
    </message>
    <message>
        <source>Dispatches due</source>
        <translation>应派遣数</translation>
    </message>
    <message>
        <source>Dispatches made</source>
        <translation>已派遣数</translation>
    </message>
    <message>
        <source>Dispatched on time</source>
        <translation>按期派遣数</translation>
    </message>
    <message>
        <source>Closure rate</source>
        <translation>结案率</translation>
    </message>
    <message>
        <source>On-time closure rate</source>
        <translation>按期结案率</translation>
    </message>
    <message>
        <source>Public report rate</source>
        <translation>公众举报率</translation>
    </message>
    <message>
        <source>Disposal rate</source>
        <translation>处置率</translation>
    </message>
    <message>
        <source>On-time disposal rate</source>
        <translation>按期处置率</translation>
    </message>
    <message>
        <source>Rework rate</source>
        <translation>返工率</translation>
    </message>
    <message>
        <source>Valid report rate</source>
        <translation>有效上报率</translation>
    </message>
    <message>
        <source>Missed report rate</source>
        <translation>漏报率</translation>
    </message>
    <message>
        <source>On-time verification rate</source>
        <translation>按期核实率</translation>
    </message>
    <message>
        <source>On-time check rate</source>
        <translation>按期核查率</translation>
    </message>
    <message>
        <source>On-time verify task rate</source>
        <translation>核实派发及时率</translation>
    </message>
    <message>
        <source>On-time check task rate</source>
        <translation>核查派发及时率</translation>
    </message>
    <message>
        <source>On-time registration rate</source>
        <translation>按期立案率</translation>
    </message>
    <message>
        <source>Accurate registration rate</source>
        <translation>立案准确率</translation>
    </message>
    <message>
        <source>On-time closing rate</source>
        <translation>结案及时率</translation>
    </message>
    <message>
        <source>On-time dispatch rate</source>
        <translation>按期派遣率</translation>
    </message>
    <message>
        <source>Accurate dispatch rate</source>
        <translation>派遣准确率</translation>
    </message>
</context>
</TS>
