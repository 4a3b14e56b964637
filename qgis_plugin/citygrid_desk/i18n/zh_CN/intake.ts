<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>Register hotline report</source>
        <translation>登记热线举报</translation>
    </message>
    <message>
        <source>Click the map where the caller's problem is to register a hotline report</source>
        <translation>在地图上点击来电人所报问题的位置，登记热线举报</translation>
    </message>
    <message>
        <source>Unit grid</source>
        <translation>单元网格</translation>
    </message>
    <message>
        <source>Street / community</source>
        <translation>街道 / 社区</translation>
    </message>
    <message>
        <source>Hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <source>Nearby component</source>
        <translation>附近部件</translation>
    </message>
    <message>
        <source>Event case</source>
        <translation>事件类案件</translation>
    </message>
    <message>
        <source>Component case</source>
        <translation>部件类案件</translation>
    </message>
    <message>
        <source>Case type</source>
        <translation>案件类型</translation>
    </message>
    <message>
        <source>Case class</source>
        <translation>案件类别</translation>
    </message>
    <message>
        <source>Problem address</source>
        <translation>问题地址</translation>
    </message>
    <message>
        <source>What the caller describes</source>
        <translation>来电人描述的问题</translation>
    </message>
    <message>
        <source>Caller's description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Caller</source>
        <translation>来电人</translation>
    </message>
    <message>
        <source>Caller's phone</source>
        <translation>来电人电话</translation>
    </message>
    <message>
        <source>Register</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>12319 urban construction hotline</source>
        <translation>12319 城建服务热线</translation>
    </message>
    <message>
        <source>12345 citizen service hotline</source>
        <translation>12345 政务服务便民热线</translation>
    </message>
    <message>
        <source>None (an event, or no component named)</source>
        <translation>无（事件，或未指明部件）</translation>
    </message>
    <message>
        <source>Type a code or a name to filter</source>
        <translation>输入编码或名称筛选</translation>
    </message>
    <message>
        <source>Possible duplicate</source>
        <translation>可能重复</translation>
    </message>
    <message>
        <source>{objid} {name} ({distance} m)</source>
        <translation>{objid} {name}（{distance} 米）</translation>
    </message>
    <message>
        <source>Case {case_no} is registered. It may repeat the open case {other} nearby: check it before accepting.</source>
        <translation>案件 {case_no} 已登记。它可能与附近未结案件 {other} 重复：受理前请核对。</translation>
    </message>
    <message>
        <source>Collectors and grids</source>
        <translation>监督员与网格</translation>
    </message>
    <message>
        <source>Assign selected grids</source>
        <translation>分配所选网格</translation>
    </message>
    <message>
        <source>Move grids</source>
        <translation>调整网格</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Grids held</source>
        <translation>网格数</translation>
    </message>
    <message>
        <source>Open tasks</source>
        <translation>待办任务</translation>
    </message>
    <message>
        <source>Task's case</source>
        <translation>案卷号</translation>
    </message>
    <message>
        <source>Task kind</source>
        <translation>任务类型</translation>
    </message>
    <message>
        <source>Task due</source>
        <translation>任务期限</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>分配给：</translation>
    </message>
    <message>
        <source>Open tasks of the selected collector (double-click to zoom)</source>
        <translation>所选监督员的待办任务（双击定位）</translation>
    </message>
    <message>
        <source> - deactivated</source>
        <translation> - 已停用</translation>
    </message>
    <message>
        <source>These grids are patrolled by other collectors:
{lines}

Move them to {username}?</source>
        <translation>以下网格由其他监督员负责：
{lines}

是否将其调整给 {username}？</translation>
    </message>
    <message>
        <source>Grids assigned to {username}</source>
        <translation>网格已分配给 {username}</translation>
    </message>
    <message>
        <source>Verify (核实)</source>
        <translation>核实</translation>
    </message>
    <message>
        <source>Check (核查)</source>
        <translation>核查</translation>
    </message>
</context>
</TS>
