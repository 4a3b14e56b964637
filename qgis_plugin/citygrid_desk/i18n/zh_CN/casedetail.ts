<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>citygrid_desk</name>
    <message>
        <source>No case selected</source>
        <translation>未选择案件</translation>
    </message>
    <message>
        <source>Case {case_no}: {status}</source>
        <translation>案件 {case_no}：{status}</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>可办理的操作</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>案件信息</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>案件编号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
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
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>问题描述</translation>
    </message>
    <message>
        <source>Reporter</source>
        <translation>上报人</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation>立案条件</translation>
    </message>
    <message>
        <source>Reported at</source>
        <translation>上报时间</translation>
    </message>
    <message>
        <source>Registered at</source>
        <translation>立案时间</translation>
    </message>
    <message>
        <source>Dispatched at</source>
        <translation>派遣时间</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>处置截止时间</translation>
    </message>
    <message>
        <source>Step due</source>
        <translation>本环节截止时间</translation>
    </message>
    <message>
        <source>Rework count</source>
        <translation>返工次数</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>照片</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>处理过程</translation>
    </message>
    <message>
        <source>Your role has no action on this case now.</source>
        <translation>您的角色当前不能办理此案件。</translation>
    </message>
    <message>
        <source>Possible duplicate of case {case_no}</source>
        <translation>可能与案件 {case_no} 重复</translation>
    </message>
    <message>
        <source>Current step: {light}</source>
        <translation>当前环节：{light}</translation>
    </message>
    <message>
        <source>Collector</source>
        <translation>监督员</translation>
    </message>
    <message>
        <source>Choose a unit</source>
        <translation>请选择单位</translation>
    </message>
    <message>
        <source>untimed</source>
        <translation>不计时</translation>
    </message>
    <message>
        <source>Reason (required)</source>
        <translation>理由（必填）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Now with</source>
        <translation>当前承办人</translation>
    </message>
    <message>
        <source>Hours on the case's clock</source>
        <translation>按案件时钟延长（小时）</translation>
    </message>
    <message>
        <source>Until</source>
        <translation>延至</translation>
    </message>
    <message>
        <source>{action}: case {case_no}</source>
        <translation>{action}：案件 {case_no}</translation>
    </message>
    <message>
        <source>Time limit: {limit}. Dispatch due by {due}. Deadline if dispatched now: {deadline}.</source>
        <translation>处置时限：{limit}。须于 {due} 前派遣；若现在派遣，处置截止时间为 {deadline}。</translation>
    </message>
    <message>
        <source>Deadline: {deadline}</source>
        <translation>处置截止时间：{deadline}</translation>
    </message>
    <message>
        <source>{name} (this grid)</source>
        <translation>{name}（本网格）</translation>
    </message>
    <message>
        <source>{unit} (suggested)</source>
        <translation>{unit}（建议）</translation>
    </message>
    <message>
        <source>to {collector}</source>
        <translation>交给 {collector}</translation>
    </message>
    <message>
        <source>rework {count}</source>
        <translation>第 {count} 次返工</translation>
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
        <translation>不予受理</translation>
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
        <source>Report</source>
        <translation>上报</translation>
    </message>
    <message>
        <source>Accept the report</source>
        <translation>受理</translation>
    </message>
    <message>
        <source>Send for verification</source>
        <translation>派发核实</translation>
    </message>
    <message>
        <source>Verified: confirmed</source>
        <translation>核实属实</translation>
    </message>
    <message>
        <source>Verified: not found</source>
        <translation>核实不属实</translation>
    </message>
    <message>
        <source>Reject the report</source>
        <translation>不予受理</translation>
    </message>
    <message>
        <source>Register the case</source>
        <translation>立案</translation>
    </message>
    <message>
        <source>Dispatch to a unit</source>
        <translation>派遣</translation>
    </message>
    <message>
        <source>Ask to return</source>
        <translation>申请回退</translation>
    </message>
    <message>
        <source>Ask for an extension</source>
        <translation>申请延期</translation>
    </message>
    <message>
        <source>Return the case</source>
        <translation>回退</translation>
    </message>
    <message>
        <source>Extend the deadline</source>
        <translation>延期</translation>
    </message>
    <message>
        <source>Report disposal</source>
        <translation>处置反馈</translation>
    </message>
    <message>
        <source>Send for check</source>
        <translation>派发核查</translation>
    </message>
    <message>
        <source>Check failed: rework</source>
        <translation>核查不通过（返工）</translation>
    </message>
    <message>
        <source>Close the case</source>
        <translation>结案</translation>
    </message>
    <message>
        <source>Park the case</source>
        <translation>挂账</translation>
    </message>
    <message>
        <source>Restore the case</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Void the case</source>
        <translation>作废</translation>
    </message>
    <message>
        <source>Reassign the task</source>
        <translation>改派任务</translation>
    </message>
    <message>
        <source>Field result kept</source>
        <translation>保留现场结果</translation>
    </message>
    <message>
        <source>Duplicate report merged in</source>
        <translation>合并重复上报</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>系统管理员</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>受理员</translation>
    </message>
    <message>
        <source>Shift leader</source>
        <translation>值班长</translation>
    </message>
    <message>
        <source>Dispatcher</source>
        <translation>派遣员</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>督查员</translation>
    </message>
    <message>
        <source>GIS technician</source>
        <translation>GIS 管理员</translation>
    </message>
    <message>
        <source>Unit staff</source>
        <translation>专业部门</translation>
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
        <translation>视频采集</translation>
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
        <translation>微信 / App</translation>
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
        <translation>不计时</translation>
    </message>
    <message>
        <source>working hours</source>
        <translation>工作时</translation>
    </message>
    <message>
        <source>working days</source>
        <translation>工作日</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <source>{amount} (urgent)</source>
        <translation>{amount}（紧急）</translation>
    </message>
    <message>
        <source>This photo is missing or cannot be read.</source>
        <translation>照片缺失或无法读取。</translation>
    </message>
    <message>
        <source>Photo {sha256}</source>
        <translation>照片 {sha256}</translation>
    </message>
    <message>
        <source>Photo missing or unreadable: {sha256}</source>
        <translation>照片缺失或无法读取：{sha256}</translation>
    </message>
    <message>
        <source>Time / by</source>
        <translation>时间 / 操作人</translation>
    </message>
    <message>
        <source>Action / status / details</source>
        <translation>操作 / 状态 / 详情</translation>
    </message>
    <message>
        <source>Unit {unit}</source>
        <translation>单位 {unit}</translation>
    </message>
    <message>
        <source>step due {due}</source>
        <translation>环节截止 {due}</translation>
    </message>
    <message>
        <source>{action}: {change}</source>
        <translation>{action}：{change}</translation>
    </message>
    <message>
        <source>Send back for rework</source>
        <translation>返工</translation>
    </message>
    <message>
        <source>Back to {unit} (rework no. {count}). New deadline: {deadline}</source>
        <translation>退回 {unit} 返工（第 {count} 次）。新的处置截止时间：{deadline}</translation>
    </message>
</context>
</TS>
