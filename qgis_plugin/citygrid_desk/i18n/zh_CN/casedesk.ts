<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Case number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>亮灯</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>网格</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>责任单位</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Reported at</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>处置时限</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Reported</source>
        <translation>已上报</translation>
    </message>
    <message>
        <source>Being verified</source>
        <translation>核实中</translation>
    </message>
    <message>
        <source>Awaiting registration</source>
        <translation>待立案</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>不予立案</translation>
    </message>
    <message>
        <source>Registered, awaiting dispatch</source>
        <translation>已立案，待派遣</translation>
    </message>
    <message>
        <source>Dispatched, in disposal</source>
        <translation>已派遣，处置中</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已回退</translation>
    </message>
    <message>
        <source>Disposed, awaiting check</source>
        <translation>已处置，待核查</translation>
    </message>
    <message>
        <source>Being checked</source>
        <translation>核查中</translation>
    </message>
    <message>
        <source>Check passed</source>
        <translation>核查通过</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已结案</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已作废</translation>
    </message>
    <message>
        <source>Parked</source>
        <translation>已挂账</translation>
    </message>
    <message>
        <source>Collector's report</source>
        <translation>监督员上报</translation>
    </message>
    <message>
        <source>Public report</source>
        <translation>公众举报</translation>
    </message>
    <message>
        <source>Hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <source>Video capture</source>
        <translation>视频监控</translation>
    </message>
    <message>
        <source>Leader's referral</source>
        <translation>领导交办</translation>
    </message>
    <message>
        <source>Media</source>
        <translation>媒体曝光</translation>
    </message>
    <message>
        <source>WeChat / app</source>
        <translation>微信/应用</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>绿灯</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>黄灯</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>红灯</translation>
    </message>
    <message>
        <source>Untimed</source>
        <translation>无时限</translation>
    </message>
    <message>
        <source>New: arrived while the desk is open</source>
        <translation>新案件：本台打开后到达</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新</translation>
    </message>
    <message>
        <source>Possible duplicate of {case_no}</source>
        <translation>疑似重复：{case_no}</translation>
    </message>
    <message>
        <source>Any status</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Any light</source>
        <translation>全部亮灯</translation>
    </message>
    <message>
        <source>Any class</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Any unit</source>
        <translation>全部单位</translation>
    </message>
    <message>
        <source>Any source</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <source>Grid code</source>
        <translation>网格编码</translation>
    </message>
    <message>
        <source>Case number, description or address</source>
        <translation>案件编号、描述或地址</translation>
    </message>
    <message>
        <source>Reported from</source>
        <translation>上报时间从</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Case desk</source>
        <translation>案件台</translation>
    </message>
    <message>
        <source>the map's selection</source>
        <translation>地图所选</translation>
    </message>
    <message>
        <source>{count} cases</source>
        <translation>共 {count} 件</translation>
    </message>
    <message>
        <source>more than {count} cases</source>
        <translation>超过 {count} 件</translation>
    </message>
</context>
</TS>
