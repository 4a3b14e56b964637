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
        <translation>处置截止时间</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
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
