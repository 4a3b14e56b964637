<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Cases</source>
        <translation>案件</translation>
    </message>
    <message>
        <source>Components</source>
        <translation>部件</translation>
    </message>
    <message>
        <source>Unit grids</source>
        <translation>单元网格</translation>
    </message>
    <message>
        <source>Roads</source>
        <translation>道路</translation>
    </message>
    <message>
        <source>Water</source>
        <translation>水系</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>街区</translation>
    </message>
    <message>
        <source>Basemap</source>
        <translation>底图</translation>
    </message>
    <message>
        <source>Parked</source>
        <translation>已挂账</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>部件</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <source>Intact</source>
        <translation>完好</translation>
    </message>
    <message>
        <source>Damaged</source>
        <translation>破损</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>丢失</translation>
    </message>
    <message>
        <source>Scrapped</source>
        <translation>废弃</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Reported, verifying, to register</source>
        <translation>上报、核实、待立案</translation>
    </message>
    <message>
        <source>Registered, to dispatch</source>
        <translation>已立案、待派遣</translation>
    </message>
    <message>
        <source>Dispatched, being handled</source>
        <translation>已派遣、处置中</translation>
    </message>
    <message>
        <source>Handled, to check and close</source>
        <translation>已处置、待核查结案</translation>
    </message>
    <message>
        <source>no time limit</source>
        <translation>无时限</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>超时（红灯）</translation>
    </message>
    <message>
        <source>due soon</source>
        <translation>将到期（黄灯）</translation>
    </message>
    <message>
        <source>on time</source>
        <translation>正常（绿灯）</translation>
    </message>
    <message>
        <source>Voided, not registered</source>
        <translation>已作废、不予立案</translation>
    </message>
    <message>
        <source>History</source>
        <translation>历史案件</translation>
    </message>
    <message>
        <source>Other classes</source>
        <translation>其他类别</translation>
    </message>
    <message>
        <source>Lost, scrapped or removed</source>
        <translation>丢失、废弃、移除</translation>
    </message>
    <message>
        <source>Sign in to {centre}</source>
        <translation>登录 {centre}</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>中心</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
</context>
</TS>
